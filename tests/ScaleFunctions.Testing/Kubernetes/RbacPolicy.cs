using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// The RBAC authorizer of the Kubernetes double: Roles and RoleBindings read from a manifest (by default the shipped
/// <c>deploy/kubernetes/rbac.yaml</c>), evaluated the way the API server's RBAC authorizer does it — a request is
/// allowed when a rule of a Role bound to the user in the request's namespace matches its API group, resource (or
/// <c>resource/subresource</c>, <c>*</c>, <c>*/subresource</c>), verb and, when the rule lists resourceNames, name.
/// Everything is the app's one identity, <see cref="User"/> (the ServiceAccount the manifest binds). As the manifest
/// says to, its Roles are repeated in every namespace a test uses (<see cref="RepeatedInEveryNamespace"/>).
/// </summary>
public sealed class RbacPolicy
{
    public const string ShippedFile = "deploy/kubernetes/rbac.yaml";

    /// <summary>The identity the shipped manifest binds its Roles to.</summary>
    public const string ShippedUser = "system:serviceaccount:kafka:scalefunctions";

    /// <summary>The service proxy the shipped manifest grants: Koperator's Cruise Control service and port.</summary>
    public const string ShippedServiceProxy = "kafka-cruisecontrol-svc:8090";

    /// <summary>Discovery paths every authenticated user may read (the system:discovery ClusterRole).</summary>
    private static readonly string[] DiscoveryPaths = ["/api", "/apis", "/version", "/openapi", "/healthz", "/livez", "/readyz"];

    private static readonly Lazy<string> ShippedYaml = new(() => File.ReadAllText(ReferenceFiles.InRepository(ShippedFile)));

    private RbacPolicy(string user, IReadOnlyList<RbacRule> rules, bool repeated)
    {
        User = user;
        Rules = rules;
        RepeatedInEveryNamespace = repeated;
    }

    /// <summary>The user every request is authenticated as: <c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c>.</summary>
    public string User { get; }

    /// <summary>The rules bound to <see cref="User"/>, each with its Role and namespace.</summary>
    public IReadOnlyList<RbacRule> Rules { get; }

    /// <summary>When true, a Role's rules apply in every namespace (the manifest is applied per managed namespace).</summary>
    public bool RepeatedInEveryNamespace { get; }

    /// <summary>The shipped manifest; with <paramref name="roles"/>, only the bindings of those Roles (one feature's).</summary>
    public static RbacPolicy Shipped(params string[] roles) => FromYaml(ShippedYaml.Value, roles);

    /// <summary>The shipped manifest with the Cruise Control service proxy's resource name changed (another service or port).</summary>
    public static RbacPolicy ShippedForServiceProxy(string serviceAndPort, params string[] roles) =>
        FromYaml(ShippedYaml.Value.Replace($"\"{ShippedServiceProxy}\"", $"\"{serviceAndPort}\"", StringComparison.Ordinal), roles);

    public static RbacPolicy FromYaml(string yaml, params string[] roles)
    {
        var documents = YamlJson.ReadAll(yaml).OfType<JsonObject>().ToList();
        var account = documents.Single(d => (string?)d["kind"] == "ServiceAccount")["metadata"]!;
        var (accountNs, accountName) = ((string)account["namespace"]!, (string)account["name"]!);
        var roleRules = documents.Where(d => (string?)d["kind"] == "Role").ToDictionary(
            d => ((string)d["metadata"]!["namespace"]!, (string)d["metadata"]!["name"]!),
            d => d["rules"]?.AsArray() ?? []);
        var rules = new List<RbacRule>();
        foreach (var binding in documents.Where(d => (string?)d["kind"] == "RoleBinding"))
        {
            var ns = (string)binding["metadata"]!["namespace"]!;
            var role = (string)binding["roleRef"]!["name"]!;
            var bound = binding["subjects"]?.AsArray().Any(s => (string?)s!["kind"] == "ServiceAccount"
                && (string?)s["name"] == accountName && ((string?)s["namespace"] ?? ns) == accountNs) == true;
            if (!bound || (roles.Length > 0 && !roles.Contains(role)) || !roleRules.TryGetValue((ns, role), out var found))
            {
                continue;
            }

            rules.AddRange(found.Select(r => new RbacRule(role, ns, Strings(r!["apiGroups"]), Strings(r["resources"]), Strings(r["resourceNames"]), Strings(r["verbs"]))));
        }

        return new RbacPolicy($"system:serviceaccount:{accountNs}:{accountName}", rules, repeated: true);
    }

    /// <summary>The same rules, applying only in the namespace the manifest puts them in.</summary>
    public RbacPolicy OnlyInTheirNamespace() => new(User, Rules, repeated: false);

    /// <summary>The same policy with more rules (a test that deliberately needs more than the shipped Role grants).</summary>
    public RbacPolicy With(params RbacRule[] extra) => new(User, [.. Rules, .. extra], RepeatedInEveryNamespace);

    /// <summary>The rule that allows the request, or null (then the API server answers 403).</summary>
    public RbacRule? Allowing(RequestAttributes request) => request.IsResourceRequest
        ? Rules.FirstOrDefault(r => r.Allows(request, RepeatedInEveryNamespace))
        : DiscoveryPaths.Any(p => request.Verb == "get" && (request.Path == p || request.Path.StartsWith(p + "/", StringComparison.Ordinal)))
            ? new RbacRule("system:discovery", "", [], [], [], ["get"])
            : null;

    /// <summary>The API server's 403 for a request no rule allows, in its own words and Status shape.</summary>
    public KubernetesStatus Forbidden(RequestAttributes request) => KubernetesStatus.Forbidden(request, User);

    private static string[] Strings(JsonNode? node) => node?.AsArray().Select(n => (string)n!).ToArray() ?? [];
}

/// <summary>One rule of a Role bound to the app's identity (<c>resourceNames</c> empty: any name).</summary>
public sealed record RbacRule(string Role, string Namespace, IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources, IReadOnlyList<string> ResourceNames, IReadOnlyList<string> Verbs)
{
    public bool Allows(RequestAttributes request, bool inEveryNamespace) =>
        (inEveryNamespace ? request.Namespace.Length > 0 : request.Namespace == Namespace)
        && (Verbs.Contains("*") || Verbs.Contains(request.Verb))
        && (ApiGroups.Contains("*") || ApiGroups.Contains(request.Group))
        && Resources.Any(r => r == "*" || r == request.QualifiedResource || (request.Subresource.Length > 0 && r == "*/" + request.Subresource))
        && (ResourceNames.Count == 0 || ResourceNames.Contains(request.Name));

    public override string ToString() =>
        $"{Role}: {string.Join(",", Verbs)} {string.Join(",", Resources)} in [{string.Join(",", ApiGroups)}]{(ResourceNames.Count == 0 ? "" : $" names {string.Join(",", ResourceNames)}")}";
}
