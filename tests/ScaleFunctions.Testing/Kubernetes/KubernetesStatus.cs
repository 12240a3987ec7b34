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

    /// <summary>
    /// The RBAC refusal as the API server writes it: <c>{resource}.{group} "{name}" is forbidden: User "{user}" cannot
    /// {verb} resource "{resource[/subresource]}" in API group "{group}" in the namespace "{ns}"</c>, details
    /// <c>{name, group, kind: resource}</c> (empty ones left out).
    /// </summary>
    public static KubernetesStatus Forbidden(RequestAttributes request, string user)
    {
        if (!request.IsResourceRequest)
        {
            return new KubernetesStatus(403, "Forbidden", $"forbidden: User \"{user}\" cannot {request.Verb} path \"{request.Path}\"", new JsonObject());
        }

        var scope = request.Namespace.Length > 0 ? $"in the namespace \"{request.Namespace}\"" : "at the cluster scope";
        var why = $"User \"{user}\" cannot {request.Verb} resource \"{request.QualifiedResource}\" in API group \"{request.Group}\" {scope}";
        var resource = request.Group.Length == 0 ? request.Resource : $"{request.Resource}.{request.Group}";
        var message = request.Name.Length > 0 ? $"{resource} \"{request.Name}\" is forbidden: {why}" : $"{resource} is forbidden: {why}";
        var details = new JsonObject();
        if (request.Name.Length > 0)
        {
            details["name"] = request.Name;
        }

        if (request.Group.Length > 0)
        {
            details["group"] = request.Group;
        }

        details["kind"] = request.Resource;
        return new KubernetesStatus(403, "Forbidden", message, details);
    }

    /// <summary>
    /// 422 Invalid as the API server writes it: <c>{kind}.{group} "{name}" is invalid: {field}: {body}</c> (several
    /// errors in brackets, comma-separated), details with one cause per error (reason, message, field).
    /// </summary>
    public static KubernetesStatus Invalid(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var details = new JsonObject
        {
            ["name"] = name,
            ["group"] = group,
            ["kind"] = kind,
            ["causes"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject
            {
                ["reason"] = e.Reason,
                ["message"] = e.Body,
                ["field"] = e.Field,
            }).ToArray()),
        };
        var qualified = group.Length == 0 ? kind : $"{kind}.{group}";
        var summary = errors.Count == 1 ? errors[0].ToString() : $"[{string.Join(", ", errors)}]";
        return new KubernetesStatus(422, "Invalid", $"{qualified} \"{name}\" is invalid: {summary}", details);
    }

    public static KubernetesStatus BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>
    /// A JSON patch that does not apply to the object as stored (a failed <c>test</c>, a missing path, an unknown op):
    /// 422 Invalid with the client library's generic sentence and empty details — the API server says no more, so a
    /// client cannot tell from the answer whether the object changed under it. <paramref name="why"/> is kept for tests
    /// (<see cref="Why"/>), never sent.
    /// </summary>
    public static KubernetesStatus PatchNotApplied(string why) =>
        new(422, "Invalid", "the server rejected our request due to an error in our request", new JsonObject()) { Why = why };

    /// <summary>The double's own reason for an answer whose body gives none (<see cref="PatchNotApplied"/>).</summary>
    public string? Why { get; private init; }

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
