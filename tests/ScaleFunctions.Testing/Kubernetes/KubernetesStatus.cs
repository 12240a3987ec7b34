using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// An API error as the API server answers it: a <c>v1 Status</c> object with <c>reason</c>, <c>message</c>,
/// <c>details</c> and <c>code</c>. Thrown inside the double and written as the response body.
/// </summary>
public sealed class KubernetesStatus(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;

    public static KubernetesStatus NotFound(string resource, string name) =>
        new(404, "NotFound", $"{resource} \"{name}\" not found", Details(resource, name));

    public static KubernetesStatus AlreadyExists(string resource, string name) =>
        new(409, "AlreadyExists", $"{resource} \"{name}\" already exists", Details(resource, name));

    public static KubernetesStatus Conflict(string resource, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            Details(resource, name));

    public static KubernetesStatus Forbidden(string resource, string name, string verb) =>
        new(403, "Forbidden",
            $"{resource} \"{name}\" is forbidden: User \"system:serviceaccount:scalefunctions:scalefunctions\" cannot {verb} resource \"{resource}\"",
            Details(resource, name));

    public static KubernetesStatus Invalid(string kind, string group, string name, IReadOnlyList<(string Field, string Message)> causes)
    {
        var details = new JsonObject
        {
            ["name"] = name,
            ["group"] = group,
            ["kind"] = kind,
            ["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject
            {
                ["reason"] = "FieldValueInvalid",
                ["message"] = $"Invalid value: {c.Message}",
                ["field"] = c.Field,
            }).ToArray()),
        };
        var summary = string.Join(", ", causes.Select(c => $"{c.Field}: Invalid value: {c.Message}"));
        return new KubernetesStatus(422, "Invalid", $"{kind}.{group} \"{name}\" is invalid: [{summary}]", details);
    }

    public static KubernetesStatus BadRequest(string message) => new(400, "BadRequest", message);

    public static KubernetesStatus Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public JsonObject ToJson() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = Reason,
        ["details"] = details?.DeepClone(),
        ["code"] = Code,
    };

    private static JsonObject Details(string resource, string name)
    {
        var dot = resource.IndexOf('.', StringComparison.Ordinal);
        return new JsonObject
        {
            ["name"] = name,
            ["group"] = dot < 0 ? "" : resource[(dot + 1)..],
            ["kind"] = dot < 0 ? resource : resource[..dot],
        };
    }
}
