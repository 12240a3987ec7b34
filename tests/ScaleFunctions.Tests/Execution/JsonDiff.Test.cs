using System.Text.Json.Nodes;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>The logged patch is exact (applying it gives the new object) and names only what changed; brokers pair by id.</summary>
public sealed class JsonDiffTest
{
    private const string Secret = "password=\"s3cr3t-jaas\"";

    [Fact]
    public void Removing_a_middle_broker_is_one_remove()
    {
        var before = Spec(Broker(0), Broker(1), Broker(2, Secret), Broker(3, Secret));
        var after = Spec(Broker(0), Broker(2, Secret), Broker(3, Secret));

        var patch = JsonDiff.Diff(before, after);

        var remove = Assert.Single(patch);
        Assert.Equal("{\"op\":\"remove\",\"path\":\"/brokers/1\"}", remove!.ToJsonString());
        AssertApplies(before, after, patch);
    }

    [Fact]
    public void A_change_inside_one_broker_names_only_that_broker()
    {
        var before = Spec(Broker(0, Secret), Broker(1), Broker(2, Secret));
        var after = Spec(Broker(0, Secret), Broker(1), Broker(2, Secret));
        after["brokers"]![1]!["brokerConfig"] = new JsonObject { ["storageConfigs"] = new JsonArray(new JsonObject { ["mountPath"] = "/kafka-logs-2" }) };

        var patch = JsonDiff.Diff(before, after);

        Assert.Equal("/brokers/1/brokerConfig", (string?)Assert.Single(patch)!["path"]);
        Assert.DoesNotContain("s3cr3t", patch.ToJsonString(), StringComparison.Ordinal);
        AssertApplies(before, after, patch);
    }

    [Fact]
    public void Removes_adds_and_changes_together_still_apply_exactly()
    {
        var before = Spec(Broker(0), Broker(1), Broker(2), Broker(5));
        var after = Spec(Broker(0), Broker(2, "changed"), Broker(5), Broker(6));

        var patch = JsonDiff.Diff(before, after);

        Assert.Equal(["remove /brokers/1", "add /brokers/1/readOnlyConfig", "add /brokers/3"], patch.Select(o => $"{o!["op"]} {o["path"]}"));
        AssertApplies(before, after, patch);
    }

    [Fact]
    public void Arrays_without_ids_are_compared_by_position()
    {
        var before = new JsonObject { ["args"] = new JsonArray("a", "b", "c") };
        var after = new JsonObject { ["args"] = new JsonArray("a", "c") };

        var patch = JsonDiff.Diff(before, after);

        Assert.Equal(["replace /args/1", "remove /args/2"], patch.Select(o => $"{o!["op"]} {o["path"]}"));
        AssertApplies(before, after, patch);
    }

    private static void AssertApplies(JsonObject before, JsonObject after, JsonArray patch) =>
        Assert.True(JsonNode.DeepEquals(after, ObjectPatches.ApplyJsonPatch(before, patch)), patch.ToJsonString());

    private static JsonObject Spec(params JsonObject[] brokers) => new() { ["brokers"] = new JsonArray(brokers) };

    private static JsonObject Broker(int id, string? readOnlyConfig = null)
    {
        var broker = new JsonObject { ["id"] = id, ["brokerConfigGroup"] = "default" };
        if (readOnlyConfig is not null)
        {
            broker["readOnlyConfig"] = readOnlyConfig;
        }

        return broker;
    }
}
