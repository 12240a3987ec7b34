using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance.CruiseControl;

namespace ScaleFunctions.Tests.Rebalance.CruiseControl;

/// <summary>Global defaults layered under per-cluster settings, start-up validation, and where requests go.</summary>
public sealed class CruiseControlSettingsTest
{
    private static ManagedClustersOptions Resolve(Dictionary<string, string?> settings)
    {
        using var host = new RebalanceTestHost(settings);
        return host.Services.GetRequiredService<IOptions<ManagedClustersOptions>>().Value;
    }

    private static Dictionary<string, string?> Cluster(params (string Key, string Value)[] cruiseControl)
    {
        var settings = new Dictionary<string, string?> { ["Clusters__0__Namespace"] = "kafka", ["Clusters__0__Name"] = "kafka" };
        foreach (var (key, value) in cruiseControl)
        {
            settings[key.StartsWith("CruiseControl__", StringComparison.Ordinal) ? key : $"Clusters__0__CruiseControl__{key}"] = value;
        }

        return settings;
    }

    [Fact]
    public void Cluster_settings_override_global_defaults_key_by_key()
    {
        var settings = Cluster(("Service", "kafka-cruisecontrol-svc"), ("ReplicationThrottle", "2000"));
        settings["CruiseControl__Port"] = "9090";
        settings["CruiseControl__ReplicationThrottle"] = "1000";
        settings["CruiseControl__Goals"] = "RackAwareGoal, ReplicaCapacityGoal";
        settings["CruiseControl__ExecuteVia"] = "Direct";
        settings["Clusters__1__Namespace"] = "other";
        settings["Clusters__1__Name"] = "kafka";
        settings["Clusters__1__CruiseControl__Url"] = "http://cc.other:8090/kafkacruisecontrol";

        var clusters = Resolve(settings).Clusters;

        var first = clusters[0].CruiseControl;
        Assert.Equal(("kafka-cruisecontrol-svc", 9090, 2000L), (first.Service, first.Port, first.ReplicationThrottle));
        Assert.Equal(["RackAwareGoal", "ReplicaCapacityGoal"], first.GoalList);
        Assert.True(first.UsesServiceProxy);
        Assert.Equal(RebalanceExecution.Direct, first.ExecutionFor(clusters[0].Kind));
        var second = clusters[1].CruiseControl;
        Assert.Equal((1000L, false), (second.ReplicationThrottle, second.UsesServiceProxy));
        Assert.Null(second.Service);
    }

    [Fact]
    public void The_capacity_opinion_is_enforced_unless_set_globally_or_per_cluster()
    {
        var settings = Cluster(("Url", "http://cc:8090/kafkacruisecontrol"));
        settings["Clusters__1__Namespace"] = "other";
        settings["Clusters__1__Name"] = "kafka";
        settings["Clusters__1__CruiseControl__CapacityOpinion"] = "off";
        settings["Clusters__2__Namespace"] = "third";
        settings["Clusters__2__Name"] = "kafka";

        Assert.Equal(CapacityOpinionMode.Enforce, Resolve(settings).Clusters[0].CruiseControl.CapacityOpinion);
        settings["CruiseControl__CapacityOpinion"] = "Advise";
        var clusters = Resolve(settings).Clusters;
        Assert.Equal([CapacityOpinionMode.Advise, CapacityOpinionMode.Off, CapacityOpinionMode.Advise], clusters.Select(c => c.CruiseControl.CapacityOpinion));
    }

    [Fact]
    public void An_unknown_capacity_opinion_stops_the_app_at_start_naming_the_setting()
    {
        var settings = Cluster(("Url", "http://cc:8090/kafkacruisecontrol"), ("CapacityOpinion", "Sometimes"));

        var error = Assert.Throws<InvalidOperationException>(() => Resolve(settings));

        Assert.Equal("Failed to convert configuration value 'Sometimes' at 'Clusters:0:CruiseControl:CapacityOpinion' to type 'ScaleFunctions.Configuration.CapacityOpinionMode'.", error.Message);
    }

    [Fact]
    public void Without_url_or_service_cruise_control_is_not_configured()
    {
        Assert.False(Resolve(Cluster()).Clusters[0].CruiseControl.IsConfigured);
    }

    [Theory]
    [InlineData("set either Url or Service", "Url", "http://cc:8090/kafkacruisecontrol", "Service", "cc")]
    [InlineData("Url must be an absolute http or https address", "Url", "cc:8090", "Port", "8090")]
    [InlineData("must not carry credentials", "Url", "http://admin:hunter2@cc:8090/kafkacruisecontrol", "Port", "8090")]
    [InlineData("Service must be a DNS-1123 label", "Service", "Kafka_CC", "Port", "8090")]
    [InlineData("Port must be between", "Service", "cc", "Port", "0")]
    [InlineData("BasicUsername and BasicPassword go together", "Url", "http://cc:8090/kafkacruisecontrol", "BasicUsername", "admin")]
    [InlineData("cannot go through the API server's service proxy", "Service", "cc", "BasicUsername", "admin")]
    [InlineData("Goals must be a comma-separated list", "Url", "http://cc:8090/kafkacruisecontrol", "Goals", "RackAwareGoal;rm -rf")]
    [InlineData("must be positive when set", "Url", "http://cc:8090/kafkacruisecontrol", "ReplicationThrottle", "0")]
    [InlineData("MaxPolls must be at least 1", "Url", "http://cc:8090/kafkacruisecontrol", "MaxPolls", "0")]
    [InlineData("CapacityOpinion must be Off, Advise or Enforce", "Url", "http://cc:8090/kafkacruisecontrol", "CapacityOpinion", "7")]
    public void Invalid_settings_stop_the_app_at_start_with_a_clear_message(string message, string key1, string value1, string key2, string value2)
    {
        var settings = Cluster((key1, value1), (key2, value2));
        if (key2 == "BasicUsername" && key1 == "Service")
        {
            settings["Clusters__0__CruiseControl__BasicPassword"] = "hunter2";
        }

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Contains(message, error.Message);
        Assert.Contains("Clusters:0:CruiseControl (kafka/kafka)", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void Operator_execution_needs_a_koperator_cluster()
    {
        var settings = Cluster(("Url", "http://cc:8090/kafkacruisecontrol"), ("ExecuteVia", "Operator"));
        settings["Clusters__0__Kind"] = "KafkaNodePool";
        settings["Clusters__0__NodePools__0__Name"] = "broker";

        Assert.Contains("ExecuteVia Operator needs a Koperator KafkaCluster", Assert.Throws<OptionsValidationException>(() => Resolve(settings)).Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Operator")]
    public void Goals_with_the_operator_path_stop_the_app_because_koperator_would_not_use_them(string? executeVia)
    {
        var settings = Cluster(("Service", "kafka-cruisecontrol-svc"), ("Goals", "RackAwareGoal"));
        settings["Clusters__0__CruiseControl__ExecuteVia"] = executeVia;

        Assert.Contains("Goals cannot be used when rebalancing through Koperator", Assert.Throws<OptionsValidationException>(() => Resolve(settings)).Message);
    }

    [Fact]
    public void The_service_proxy_path_names_namespace_service_port_and_api_path()
    {
        var cluster = new ManagedClusterOptions { Namespace = "kafka", Name = "kafka", CruiseControl = new CruiseControlOptions { Service = "kafka-cruisecontrol-svc" } };

        var endpoint = CruiseControlEndpoint.For(cluster, () => new Uri("https://aks.example:443/k8s/clusters/c-1"));
        var uri = endpoint.UriFor("state", new CruiseControlQuery().Add("substates", "executor,monitor"));

        Assert.True(endpoint.ViaServiceProxy);
        Assert.Equal(
            "https://aks.example/k8s/clusters/c-1/api/v1/namespaces/kafka/services/kafka-cruisecontrol-svc:8090/proxy/kafkacruisecontrol/state?json=true&substates=executor%2Cmonitor",
            uri.AbsoluteUri);
        Assert.Equal("service proxy kafka/kafka-cruisecontrol-svc:8090", endpoint.Describe(cluster));
    }

    [Fact]
    public void A_configured_url_keeps_its_path_prefix()
    {
        var cluster = new ManagedClusterOptions { Namespace = "kafka", Name = "kafka", CruiseControl = new CruiseControlOptions { Url = "http://cc.kafka:8090/kafkacruisecontrol" } };

        var uri = CruiseControlEndpoint.For(cluster, () => throw new InvalidOperationException("Kubernetes is not needed")).UriFor("proposals", new CruiseControlQuery());

        Assert.Equal("http://cc.kafka:8090/kafkacruisecontrol/proposals?json=true", uri.AbsoluteUri);
    }
}
