using System.Text.Json.Nodes;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Testing.Kubernetes;

/// <summary>The CRD schema every Kubernetes double shares answers the same for the same object, however many tests ask at once.</summary>
public sealed class CustomResourceSchemaTest
{
    [Fact]
    public async Task Parallel_validations_of_the_shared_schema_agree()
    {
        var schema = KoperatorFiles.KafkaCluster;
        static JsonObject Invalid(int i)
        {
            var cluster = KoperatorFiles.SampleKafkaCluster();
            cluster["spec"]!["brokers"]!.AsArray().Add(new JsonObject { ["id"] = i % 2 == 0 ? -1 : 65535 });
            return cluster;
        }

        var expected = schema.Validate(Invalid(0)).Select(e => e.ToString()).ToList();
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => (i, Errors: schema.Validate(Invalid(i))))));

        Assert.Contains(expected, e => e.Contains("spec.brokers[3].id", StringComparison.Ordinal));
        Assert.All(results, r => Assert.Contains(r.Errors, e => e.Field == "spec.brokers[3].id" && e.Reason == "FieldValueInvalid"));
        Assert.All(results.Where(r => r.i % 2 == 0), r => Assert.Equal(expected, r.Errors.Select(e => e.ToString())));
    }
}
