using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Kubernetes;

/// <summary>LIST with <c>labelSelector</c> on the double, through KubernetesClient, as the API server filters and refuses.</summary>
public sealed class LabelSelectorListIntegrationTest
{
    private const string Ns = "kafka";

    public static TheoryData<string, string[]> Selectors => new()
    {
        { "", ["a", "b", "c", "d"] },
        { "strimzi.io/cluster=one", ["a", "b"] },
        { "strimzi.io/cluster==one", ["a", "b"] },
        { "strimzi.io/cluster!=one", ["c", "d"] }, // d has no such label: != matches it
        { "strimzi.io/cluster=one,tier=fast", ["a"] },
        { "tier", ["a", "c"] },
        { "!tier", ["b", "d"] },
        { "strimzi.io/cluster in (one, two)", ["a", "b", "c"] },
        { "strimzi.io/cluster notin (one)", ["c", "d"] },
        { " tier = fast , strimzi.io/cluster = two ", ["c"] },
        { "strimzi.io/cluster=three", [] },
    };

    public static TheoryData<string, string> Malformed => new()
    {
        { "a=b=c", "found '=', expected: ',' or 'end of string'" },
        { "a=b,", "found '', expected: identifier after ','" },
        { "=b", "found '=', expected: !, identifier, or 'end of string'" },
        { "a in b", "unable to parse requirement: found 'b', expected: '('" },
        { "a b", "found 'b', expected: in, notin, =, ==, !=, gt, lt" },
        { "a=b c", "found 'c', expected: ',' or 'end of string'" },
        { "-a=b", "unable to parse requirement: key: Invalid value: \"-a\"" },
        { "a=-b", "unable to parse requirement: values[0][a]: Invalid value: \"-b\"" },
    };

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task A_label_selector_filters_the_list(string selector, string[] expected)
    {
        await using var api = await StartAsync();

        var list = await api.CreateClient().CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(
            StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaRebalances, labelSelector: selector);

        Assert.Equal(expected, list["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_label_selector_is_a_400_with_the_parsers_message(string selector, string message)
    {
        await using var api = await StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => api.CreateClient().CustomObjects.ListNamespacedCustomObjectAsync(
            StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaRebalances, labelSelector: selector));

        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
        var status = JsonNode.Parse(error.Response.Content)!;
        Assert.Equal("BadRequest", (string?)status["reason"]);
        Assert.Contains(message, (string?)status["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cluster_wide_list_filters_too()
    {
        await using var api = await StartAsync();
        api.Rbac = null;

        var list = await api.CreateClient().CustomObjects.ListClusterCustomObjectAsync(
            StrimziNames.Group, StrimziNames.Version, StrimziNames.KafkaRebalances, labelSelector: "tier=fast");

        var names = ((JsonElement)list).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal(["a", "c"], names);
    }

    private static async Task<KubernetesApiDouble> StartAsync()
    {
        var api = new KubernetesApiDouble
        {
            Rbac = RbacPolicy.Shipped().With(new RbacRule("rebalances", Ns, [StrimziNames.Group], [StrimziNames.KafkaRebalances], [], ["list"])),
        }.WithStrimziCrds();
        foreach (var (name, labels) in new[]
        {
            ("a", new JsonObject { ["strimzi.io/cluster"] = "one", ["tier"] = "fast" }),
            ("b", new JsonObject { ["strimzi.io/cluster"] = "one" }),
            ("c", new JsonObject { ["strimzi.io/cluster"] = "two", ["tier"] = "fast" }),
            ("d", new JsonObject()),
        })
        {
            var rebalance = StrimziFiles.SampleKafkaRebalance();
            rebalance["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels };
            api.Store.Create(StrimziFiles.RebalanceKey(Ns, name), rebalance);
        }

        return await api.StartAsync();
    }
}
