using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// The custom-object REST routes of the double: GET/LIST (with <c>labelSelector</c>)/POST/PUT/PATCH/DELETE, the status
/// subresource and, for CRDs that declare it, the scale subresource.
/// </summary>
public static class CustomObjectRoutes
{
    private const string Collection = "/apis/{group}/{version}/namespaces/{namespace}/{plural}";
    private const string Item = Collection + "/{name}";

    public static void Map(IEndpointRouteBuilder routes, CustomObjectStore store)
    {
        routes.MapGet("/apis/{group}/{version}/{plural}", (HttpContext c, string group, string version, string plural) =>
            Answer(c, () => store.List(group, version, null, plural, Selector(c))));
        routes.MapGet(Collection, (HttpContext c, string group, string version, string @namespace, string plural) =>
            Answer(c, () => store.List(group, version, @namespace, plural, Selector(c))));
        routes.MapPost(Collection, async (HttpContext c, string group, string version, string @namespace, string plural) =>
        {
            var body = await ReadAsync(c);
            return await AnswerAsync(c, () =>
            {
                var obj = body as JsonObject ?? throw KubernetesStatus.BadRequest("the body must be an object");
                var name = (string?)obj["metadata"]?["name"] ?? throw KubernetesStatus.BadRequest("metadata.name is required");
                return store.Create(new ObjectKey(group, version, @namespace, plural, name), obj, Options(c));
            }, 201);
        });
        routes.MapGet(Item, (HttpContext c, string group, string version, string @namespace, string plural, string name) =>
            Answer(c, () => store.Get(new ObjectKey(group, version, @namespace, plural, name))));
        routes.MapGet(Item + "/status", (HttpContext c, string group, string version, string @namespace, string plural, string name) =>
            Answer(c, () => store.Get(new ObjectKey(group, version, @namespace, plural, name))));
        routes.MapDelete(Item, (HttpContext c, string group, string version, string @namespace, string plural, string name) =>
            Answer(c, () =>
            {
                store.Delete(new ObjectKey(group, version, @namespace, plural, name));
                return new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Success" };
            }));
        routes.MapGet(Item + "/scale", (HttpContext c, string group, string version, string @namespace, string plural, string name) =>
            Answer(c, () => store.GetScale(new ObjectKey(group, version, @namespace, plural, name))));
        routes.MapPut(Item + "/scale", async (HttpContext c, string group, string version, string @namespace, string plural, string name) =>
        {
            var body = await ReadAsync(c);
            return await AnswerAsync(c, () => store.ReplaceScale(
                new ObjectKey(group, version, @namespace, plural, name),
                body as JsonObject ?? throw KubernetesStatus.BadRequest("the body must be an object"),
                Options(c)));
        });
        routes.MapMethods(Item + "/scale", ["PATCH"], async (HttpContext c, string group, string version, string @namespace, string plural, string name) =>
        {
            var body = await ReadAsync(c);
            var contentType = (c.Request.ContentType ?? "").Split(';')[0].Trim();
            return await AnswerAsync(c, () => store.PatchScale(new ObjectKey(group, version, @namespace, plural, name), contentType, body, Options(c)));
        });
        foreach (var (suffix, scope) in new[] { ("", CustomObjectStore.Scope.Main), ("/status", CustomObjectStore.Scope.Status) })
        {
            routes.MapPut(Item + suffix, async (HttpContext c, string group, string version, string @namespace, string plural, string name) =>
            {
                var body = await ReadAsync(c);
                return await AnswerAsync(c, () => store.Replace(
                    new ObjectKey(group, version, @namespace, plural, name),
                    body as JsonObject ?? throw KubernetesStatus.BadRequest("the body must be an object"),
                    scope,
                    Options(c)));
            });
            routes.MapMethods(Item + suffix, ["PATCH"], async (HttpContext c, string group, string version, string @namespace, string plural, string name) =>
            {
                var body = await ReadAsync(c);
                var contentType = (c.Request.ContentType ?? "").Split(';')[0].Trim();
                return await AnswerAsync(c, () => store.Patch(new ObjectKey(group, version, @namespace, plural, name), contentType, body, scope, Options(c)));
            });
        }
    }

    public static async Task WriteStatusAsync(HttpContext context, KubernetesStatus status)
    {
        context.Response.StatusCode = status.Code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(status.ToJson().ToJsonString());
    }

    private static LabelSelector Selector(HttpContext context) => LabelSelector.Parse(context.Request.Query["labelSelector"].ToString());

    private static WriteOptions Options(HttpContext context) => new(
        DryRun: context.Request.Query["dryRun"] == "All",
        StrictFieldValidation: context.Request.Query["fieldValidation"] == "Strict");

    private static async Task<JsonNode?> ReadAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return JsonValue.Create("<malformed>");
        }
    }

    private static Task<IResult> Answer(HttpContext context, Func<JsonObject> read) =>
        AnswerAsync(context, () => new WriteResult(read(), [], Changed: false));

    private static async Task<IResult> AnswerAsync(HttpContext context, Func<WriteResult> action, int successCode = 200)
    {
        try
        {
            var result = action();
            foreach (var warning in result.Warnings)
            {
                context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
            }

            return Results.Content(result.Object.ToJsonString(), "application/json", statusCode: successCode);
        }
        catch (KubernetesStatus status)
        {
            await Task.CompletedTask;
            return Results.Content(status.ToJson().ToJsonString(), "application/json", statusCode: status.Code);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            // A bug in the double (or a body it cannot handle): an InternalError Status that says what happened.
            var status = new KubernetesStatus(500, "InternalError", $"{ex.GetType().Name}: {ex.Message}");
            return Results.Content(status.ToJson().ToJsonString(), "application/json", statusCode: 500);
        }
    }
}
