namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// What the API server's authorizer sees of a request (its RequestInfo): for a resource request the verb — mapped from
/// the HTTP method the way the API server does it (GET on an object get, on a collection list, <c>watch=true</c> or the
/// legacy <c>/watch/</c> prefix watch; POST create; PUT update; PATCH patch; DELETE delete or deletecollection) —,
/// API group, resource, subresource, name and namespace; for any other path the lower-case method and the path.
/// </summary>
public sealed record RequestAttributes(string Verb, string Group, string Resource, string Subresource, string Name, string Namespace, string Path)
{
    public bool IsResourceRequest => Resource.Length > 0;

    /// <summary><c>resource</c> or <c>resource/subresource</c>, as RBAC rules and the API server's messages spell it.</summary>
    public string QualifiedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    public static RequestAttributes From(string method, string path, string query)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var nonResource = new RequestAttributes(method.ToLowerInvariant(), "", "", "", "", "", path);
        int at;
        string group;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            (group, at) = ("", 2);
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            (group, at) = (parts[1], 3);
        }
        else
        {
            return nonResource;
        }

        var watch = false;
        if (parts[at] == "watch")
        {
            watch = true;
            at++;
        }

        var rest = parts[at..];
        var ns = "";
        if (rest.Length >= 2 && rest[0] == "namespaces")
        {
            ns = rest[1];
            rest = rest.Length == 2 ? ["namespaces", ns] : rest[2..];
        }

        if (rest.Length == 0)
        {
            return nonResource;
        }

        var name = rest.Length > 1 ? rest[1] : "";
        var subresource = rest.Length > 2 ? rest[2] : "";
        watch |= query.TrimStart('?').Split('&').Any(p => p is "watch=true" or "watch=1");
        var verb = method.ToUpperInvariant() switch
        {
            "GET" or "HEAD" when watch => "watch",
            "GET" or "HEAD" => name.Length == 0 ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name.Length == 0 ? "deletecollection" : "delete",
            var other => other.ToLowerInvariant(),
        };
        return new RequestAttributes(verb, group, rest[0], subresource, name, ns, path);
    }

    public override string ToString() => IsResourceRequest
        ? $"{Verb} {QualifiedResource}{(Group.Length == 0 ? "" : "." + Group)}{(Name.Length == 0 ? "" : $" \"{Name}\"")}{(Namespace.Length == 0 ? "" : $" in {Namespace}")}"
        : $"{Verb} {Path}";
}
