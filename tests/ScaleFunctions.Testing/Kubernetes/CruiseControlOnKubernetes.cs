using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ScaleFunctions.Testing.CruiseControl;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// Cruise Control as Koperator deploys it, in the Kubernetes API double: the API server's service proxy
/// (<c>/api/v1/namespaces/{ns}/services/{name}:{port}/proxy/...</c>) forwarding to a <see cref="CruiseControlDouble"/>,
/// and Koperator's CruiseControlOperation resource (its CRD from <c>Reference/koperator/</c>).
/// </summary>
public static class CruiseControlOnKubernetes
{
    public const string OperationsVersion = "v1alpha1";
    public const string Operations = "cruisecontroloperations";

    private static readonly Lazy<CustomResourceSchema> OperationSchema = new(() =>
        CustomResourceSchema.FromCrdYaml(File.ReadAllText(Path.Combine(KoperatorFiles.Folder, "cruisecontroloperation-crd.yaml")), OperationsVersion));

    private static readonly HttpClient Forwarder = new();

    /// <summary>Registers the CruiseControlOperation CRD (status subresource on) with the double's store.</summary>
    public static KubernetesApiDouble WithCruiseControlOperationCrd(this KubernetesApiDouble api)
    {
        api.Store.Register(OperationSchema.Value);
        return api;
    }

    /// <summary>
    /// Serves <c>services/{service}:{port}/proxy/{path}</c> in <paramref name="namespace"/> by forwarding to
    /// <paramref name="cruiseControl"/>, as the API server does: the path and query unchanged, <c>Authorization</c>
    /// removed, the backend's status, body and headers returned. Other services answer 503 "no endpoints available".
    /// Call before the double starts.
    /// </summary>
    public static KubernetesApiDouble WithServiceProxy(this KubernetesApiDouble api, string @namespace, string service, int port, CruiseControlDouble cruiseControl) =>
        api.MapRoutes(routes => routes.Map("/api/v1/namespaces/{ns}/services/{target}/proxy/{**path}", async context =>
        {
            var ns = (string)context.Request.RouteValues["ns"]!;
            var target = (string)context.Request.RouteValues["target"]!;
            if (ns != @namespace || (target != $"{service}:{port}" && target != service))
            {
                await CustomObjectRoutes.WriteStatusAsync(context, new KubernetesStatus(503, "ServiceUnavailable", $"no endpoints available for service \"{target}\""));
                return;
            }

            await ForwardAsync(context, new Uri(cruiseControl.ServerUri, (string?)context.Request.RouteValues["path"] + context.Request.QueryString.Value));
        }));

    /// <summary>The CruiseControlOperations stored in a namespace.</summary>
    public static IReadOnlyList<JsonObject> CruiseControlOperations(this KubernetesApiDouble api, string @namespace = "kafka") =>
        api.Store.List(KoperatorFiles.Group, OperationsVersion, @namespace, Operations)["items"]!.AsArray().Select(i => i!.AsObject()).ToList();

    /// <summary>Stores an operation for <paramref name="cluster"/> as Koperator would have it, with a current task in the given state.</summary>
    public static JsonObject SeedCruiseControlOperation(this KubernetesApiDouble api, string name, string operation, string? state, string cluster = "kafka", string @namespace = "kafka", string errorPolicy = "retry")
    {
        api.WithCruiseControlOperationCrd();
        var key = new ObjectKey(KoperatorFiles.Group, OperationsVersion, @namespace, Operations, name);
        api.Store.Create(key, new JsonObject
        {
            ["apiVersion"] = $"{KoperatorFiles.Group}/{OperationsVersion}",
            ["kind"] = "CruiseControlOperation",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = @namespace, ["labels"] = new JsonObject { ["kafka_cr"] = cluster } },
            ["spec"] = new JsonObject { ["errorPolicy"] = errorPolicy },
        });
        return SetCruiseControlTask(api, name, operation, state, @namespace);
    }

    /// <summary>Writes <c>status.currentTask</c> as Koperator's controller does (through /status).</summary>
    public static JsonObject SetCruiseControlTask(this KubernetesApiDouble api, string name, string operation, string? state, string @namespace = "kafka") =>
        api.Store.Update(new ObjectKey(KoperatorFiles.Group, OperationsVersion, @namespace, Operations, name), o =>
        {
            var task = new JsonObject { ["operation"] = operation };
            if (state is not null)
            {
                task["id"] = "0230d401-6a36-430e-9858-fac8f2edde93";
                task["state"] = state;
            }

            o["status"] = new JsonObject { ["currentTask"] = task, ["errorPolicy"] = (string?)o["spec"]?["errorPolicy"] ?? "retry", ["retryCount"] = 0 };
        }, CustomObjectStore.Scope.Status);

    private static async Task ForwardAsync(HttpContext context, Uri target)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name is "Host" or "Authorization" or "Content-Length" or "Content-Type")
            {
                continue;
            }

            request.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        using var response = await Forwarder.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is not ("Transfer-Encoding" or "Content-Length"))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
