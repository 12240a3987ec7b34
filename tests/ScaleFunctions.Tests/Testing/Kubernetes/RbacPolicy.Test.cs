using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Testing.Kubernetes;

/// <summary>The double's authorizer reads requests and rules the way the API server's RequestInfo and RBAC authorizer do.</summary>
public sealed class RbacPolicyTest
{
    [Theory]
    [InlineData("GET", "/apis/kafka.banzaicloud.io/v1beta1/namespaces/kafka/kafkaclusters/kafka", "", "get", "kafkaclusters", "", "kafka")]
    [InlineData("GET", "/apis/kafka.banzaicloud.io/v1beta1/namespaces/kafka/kafkaclusters", "", "list", "kafkaclusters", "", "")]
    [InlineData("GET", "/apis/kafka.banzaicloud.io/v1beta1/namespaces/kafka/kafkaclusters", "?watch=true", "watch", "kafkaclusters", "", "")]
    [InlineData("GET", "/apis/kafka.banzaicloud.io/v1beta1/watch/namespaces/kafka/kafkaclusters/kafka", "", "watch", "kafkaclusters", "", "kafka")]
    [InlineData("PUT", "/apis/kafka.banzaicloud.io/v1beta1/namespaces/kafka/kafkaclusters/kafka/status", "", "update", "kafkaclusters", "status", "kafka")]
    [InlineData("PATCH", "/apis/kafka.banzaicloud.io/v1alpha1/namespaces/kafka/cruisecontroloperations/op", "", "patch", "cruisecontroloperations", "", "op")]
    [InlineData("POST", "/apis/kafka.banzaicloud.io/v1alpha1/namespaces/kafka/cruisecontroloperations", "", "create", "cruisecontroloperations", "", "")]
    [InlineData("DELETE", "/apis/kafka.banzaicloud.io/v1alpha1/namespaces/kafka/cruisecontroloperations", "", "deletecollection", "cruisecontroloperations", "", "")]
    [InlineData("POST", "/api/v1/namespaces/kafka/services/svc:8090/proxy/kafkacruisecontrol/rebalance", "?dryrun=false", "create", "services", "proxy", "svc:8090")]
    public void Requests_map_to_the_api_servers_verb_resource_subresource_and_name(string method, string path, string query, string verb, string resource, string subresource, string name)
    {
        var request = RequestAttributes.From(method, path, query);

        Assert.Equal((verb, resource, subresource, name, "kafka"), (request.Verb, request.Resource, request.Subresource, request.Name, request.Namespace));
    }

    [Fact]
    public void Rules_match_group_resource_subresource_verb_and_resource_names()
    {
        var policy = RbacPolicy.FromYaml("""
            apiVersion: v1
            kind: ServiceAccount
            metadata: { name: app, namespace: ns }
            ---
            kind: Role
            metadata: { name: r, namespace: ns }
            rules:
              - { apiGroups: ["g"], resources: ["things", "*/scale"], verbs: ["get"] }
              - { apiGroups: [""], resources: ["services/proxy"], resourceNames: ["svc:80"], verbs: ["get"] }
            ---
            kind: RoleBinding
            metadata: { name: r, namespace: ns }
            roleRef: { kind: Role, name: r }
            subjects: [{ kind: ServiceAccount, name: app, namespace: ns }]
            """).OnlyInTheirNamespace();

        bool Allowed(string method, string path) => policy.Allowing(RequestAttributes.From(method, path, "")) is not null;

        Assert.True(Allowed("GET", "/apis/g/v1/namespaces/ns/things/a"));
        Assert.True(Allowed("GET", "/apis/g/v1/namespaces/ns/things/a/scale"));
        Assert.False(Allowed("GET", "/apis/g/v1/namespaces/ns/things/a/status"));
        Assert.False(Allowed("GET", "/apis/g/v1/namespaces/ns/things"));
        Assert.False(Allowed("PUT", "/apis/g/v1/namespaces/ns/things/a"));
        Assert.False(Allowed("GET", "/apis/g/v1/namespaces/other/things/a"));
        Assert.False(Allowed("GET", "/apis/other/v1/namespaces/ns/things/a"));
        Assert.True(Allowed("GET", "/api/v1/namespaces/ns/services/svc:80/proxy/state"));
        Assert.False(Allowed("GET", "/api/v1/namespaces/ns/services/svc/proxy/state"));
        Assert.False(Allowed("GET", "/api/v1/namespaces/ns/services/svc:80"));
        Assert.Equal("system:serviceaccount:ns:app", policy.User);
    }
}
