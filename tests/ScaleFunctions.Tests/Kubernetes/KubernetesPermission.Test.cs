using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Tests.Kubernetes;

public sealed class KubernetesPermissionTest
{
    [Theory]
    [InlineData("GET", "https://api:443/api/v1/namespaces/kafka/services/kafka-cruisecontrol-svc:8090/proxy/kafkacruisecontrol/state?json=true",
        "get on services/proxy \"kafka-cruisecontrol-svc:8090\" in API group \"\" in namespace kafka")]
    [InlineData("PATCH", "https://api/apis/kafka.banzaicloud.io/v1beta1/namespaces/kafka/kafkaclusters/kafka?fieldValidation=Strict",
        "patch on kafkaclusters \"kafka\" in API group \"kafka.banzaicloud.io\" in namespace kafka")]
    [InlineData("PUT", "https://api/apis/kafka.banzaicloud.io/v1beta1/namespaces/kafka/kafkaclusters/kafka",
        "update on kafkaclusters \"kafka\" in API group \"kafka.banzaicloud.io\" in namespace kafka")]
    [InlineData("GET", "https://api/apis/kafka.banzaicloud.io/v1alpha1/namespaces/kafka/cruisecontroloperations?labelSelector=kafka_cr%3Dkafka",
        "list on cruisecontroloperations in API group \"kafka.banzaicloud.io\" in namespace kafka")]
    [InlineData("PATCH", "https://api/apis/kafka.banzaicloud.io/v1alpha1/namespaces/kafka/cruisecontroloperations/op/status",
        "patch on cruisecontroloperations/status \"op\" in API group \"kafka.banzaicloud.io\" in namespace kafka")]
    public void A_request_names_the_permission_it_needs(string method, string uri, string permission) =>
        Assert.Equal(permission, KubernetesPermission.Of(new HttpMethod(method), new Uri(uri))!.ToString());

    [Fact]
    public void A_path_that_is_no_resource_has_no_permission() =>
        Assert.Null(KubernetesPermission.Of(HttpMethod.Get, new Uri("https://api/version")));
}
