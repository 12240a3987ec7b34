using System.Globalization;

namespace ScaleFunctions.Kubernetes;

/// <summary>
/// The RBAC permission one Kubernetes API request needs (verb, API group, resource, subresource, name, namespace), read
/// from the request as the API server reads it, so that a 403 can say what to grant.
/// </summary>
public sealed record KubernetesPermission(string Verb, string Group, string Resource, string? Subresource, string? Name, string? Namespace)
{
    /// <summary><c>resource</c> or <c>resource/subresource</c>, as an RBAC rule spells it.</summary>
    public string QualifiedResource => Subresource is null ? Resource : $"{Resource}/{Subresource}";

    /// <summary>The permission of a resource request, or null for a path that is not one (<c>/version</c>, <c>/healthz</c>).</summary>
    public static KubernetesPermission? Of(HttpMethod method, Uri uri)
    {
        var parts = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        int rest;
        string group;
        if (parts is ["api", _, ..])
        {
            (group, rest) = ("", 2);
        }
        else if (parts is ["apis", _, _, ..])
        {
            (group, rest) = (parts[1], 3);
        }
        else
        {
            return null;
        }

        var path = parts[rest..];
        string? ns = null;
        if (path is ["namespaces", _, _, ..])
        {
            ns = path[1];
            path = path[2..];
        }

        if (path.Length == 0)
        {
            return null;
        }

        var name = path.Length > 1 ? path[1] : null;
        var subresource = path.Length > 2 ? path[2] : null;
        var watch = QueryFlag(uri, "watch");
        var verb = method.Method.ToUpperInvariant() switch
        {
            "GET" or "HEAD" when watch => "watch",
            "GET" or "HEAD" => name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            var other => other.ToLowerInvariant(),
        };
        return new KubernetesPermission(verb, group, path[0], subresource, name, ns);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Verb} on {QualifiedResource}{(Name is null ? "" : $" \"{Name}\"")} in API group \"{Group}\"{(Namespace is null ? "" : $" in namespace {Namespace}")}");

    private static bool QueryFlag(Uri uri, string name) => uri.Query.TrimStart('?').Split('&')
        .Any(p => p.Equals($"{name}=true", StringComparison.OrdinalIgnoreCase) || p.Equals($"{name}=1", StringComparison.Ordinal));
}
