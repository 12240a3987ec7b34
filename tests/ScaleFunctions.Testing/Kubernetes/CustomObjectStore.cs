using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// The double's etcd: custom objects by group/version/namespace/plural/name, with the API server's write semantics —
/// one global revision written to <c>metadata.resourceVersion</c> on every change, <c>metadata.generation</c> bumped
/// on changes outside metadata and status, 409 on a stale <c>resourceVersion</c>, pruning of unknown fields and 422
/// for objects the CRD schema rejects (real field paths and reasons, <c>x-kubernetes-list-type</c> duplicates), 422 for a
/// PUT without <c>metadata.resourceVersion</c> (custom resources allow no unconditional update). A patch is applied to
/// the object as stored, in the API server's order: the patch itself (422 when it does not apply), strict decoding, the
/// resourceVersion it leaves (409 when stale, as for a PUT), then the schema (422). With the status subresource on, the main resource ignores <c>status</c> and
/// <c>/status</c> changes nothing else. An update that changes nothing keeps the resourceVersion.
/// </summary>
public sealed class CustomObjectStore(TimeProvider? clock = null)
{
    private readonly Lock gate = new();
    private readonly Dictionary<ObjectKey, JsonObject> objects = [];
    private readonly Dictionary<(string Group, string Version, string Plural), CustomResourceSchema> schemas = [];
    private readonly TimeProvider clock = clock ?? TimeProvider.System;
    private long revision = 1000;

    /// <summary>Which part of an object a write may change.</summary>
    public enum Scope
    {
        /// <summary>The resource itself: everything but <c>status</c> when the status subresource is on.</summary>
        Main,

        /// <summary>The <c>/status</c> subresource: only <c>status</c>.</summary>
        Status,
    }

    /// <summary>Raised after every change is stored (inside the store's lock: handlers must be quick and must not write).</summary>
    public event Action<ObjectKey, JsonObject>? Committed;

    public string CurrentRevision
    {
        get
        {
            lock (gate)
            {
                return revision.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    public void Register(CustomResourceSchema schema)
    {
        lock (gate)
        {
            schemas[(schema.Group, schema.Version, schema.Plural)] = schema;
        }
    }

    public CustomResourceSchema? SchemaFor(string group, string version, string plural)
    {
        lock (gate)
        {
            return schemas.GetValueOrDefault((group, version, plural));
        }
    }

    /// <summary>A copy of the stored object, or null.</summary>
    public JsonObject? Find(ObjectKey key)
    {
        lock (gate)
        {
            return objects.TryGetValue(key, out var found) ? found.DeepClone().AsObject() : null;
        }
    }

    public JsonObject Get(ObjectKey key) => Find(key) ?? throw KubernetesStatus.NotFound(key.Resource, key.Name);

    /// <summary>
    /// A list object (<c>kind: …List</c>) of the objects of one resource, in one namespace or all (null), that match
    /// <paramref name="selector"/> (null: all).
    /// </summary>
    public JsonObject List(string group, string version, string? @namespace, string plural, LabelSelector? selector = null)
    {
        lock (gate)
        {
            var schema = schemas.GetValueOrDefault((group, version, plural));
            var items = objects
                .Where(o => o.Key.Group == group && o.Key.Version == version && o.Key.Plural == plural && (@namespace is null || o.Key.Namespace == @namespace))
                .Where(o => selector?.Matches(o.Value) ?? true)
                .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal)
                .Select(o => (JsonNode)o.Value.DeepClone())
                .ToArray();
            return new JsonObject
            {
                ["apiVersion"] = $"{group}/{version}",
                ["kind"] = schema?.ListKind ?? "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray(items),
            };
        }
    }

    public WriteResult Create(ObjectKey key, JsonObject body, WriteOptions? options = null)
    {
        lock (gate)
        {
            if (objects.ContainsKey(key))
            {
                throw KubernetesStatus.AlreadyExists(key.Resource, key.Name);
            }

            return Commit(key, existing: null, body.DeepClone().AsObject(), Scope.Main, options ?? new WriteOptions());
        }
    }

    public WriteResult Replace(ObjectKey key, JsonObject body, Scope scope = Scope.Main, WriteOptions? options = null)
    {
        lock (gate)
        {
            var existing = objects.GetValueOrDefault(key) ?? throw KubernetesStatus.NotFound(key.Resource, key.Name);
            return Commit(key, existing, body.DeepClone().AsObject(), scope, (options ?? new WriteOptions()) with { IsUpdate = true });
        }
    }

    public WriteResult Patch(ObjectKey key, string contentType, JsonNode? patch, Scope scope = Scope.Main, WriteOptions? options = null)
    {
        lock (gate)
        {
            var existing = objects.GetValueOrDefault(key) ?? throw KubernetesStatus.NotFound(key.Resource, key.Name);
            var patched = contentType switch
            {
                ObjectPatches.MergePatch => ObjectPatches.ApplyMergePatch(existing, patch) as JsonObject
                    ?? throw KubernetesStatus.BadRequest("the merge patch does not produce an object"),
                ObjectPatches.JsonPatch => ObjectPatches.ApplyJsonPatch(existing, patch as JsonArray
                    ?? throw KubernetesStatus.BadRequest("a JSON patch must be an array of operations")),
                _ => throw new KubernetesStatus(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {ObjectPatches.JsonPatch}, {ObjectPatches.MergePatch}"),
            };
            var settings = options ?? new WriteOptions();
            if (settings.StrictFieldValidation && schemas.GetValueOrDefault((key.Group, key.Version, key.Plural)) is { } schema
                && schema.Prune(patched.DeepClone().AsObject()) is { Count: > 0 } unknown)
            {
                // Decoding the patched object, before the resourceVersion is compared: 422 on field "patch" (a PUT's is a 400).
                throw KubernetesStatus.Invalid("", "", "", [FieldError.Invalid("patch", JsonValue.Create(patched.ToJsonString()),
                    "strict decoding error: " + string.Join(", ", unknown.Select(u => $"unknown field \"{u}\"")))]);
            }

            return Commit(key, existing, patched, scope, settings);
        }
    }

    /// <summary>
    /// GET <c>/scale</c>: the object as an <c>autoscaling/v1 Scale</c>, as the API server builds it from the CRD's
    /// <c>subresources.scale</c> paths. 404 when the object does not exist or its CRD declares no scale subresource.
    /// </summary>
    public JsonObject GetScale(ObjectKey key)
    {
        lock (gate)
        {
            var scale = ScaleOf(key);
            var existing = objects.GetValueOrDefault(key) ?? throw KubernetesStatus.NotFound(key.Resource, key.Name);
            return ToScale(existing, scale);
        }
    }

    /// <summary>
    /// PUT <c>/scale</c>: only <c>spec.replicas</c> of the Scale reaches the object (at the CRD's specReplicasPath);
    /// its <c>metadata.resourceVersion</c>, when set, is a precondition (409 when stale), none is an unconditional
    /// update; then the object's own rules apply (schema: 422 for negative replicas). Answers the new Scale.
    /// </summary>
    public WriteResult ReplaceScale(ObjectKey key, JsonObject scale, WriteOptions? options = null)
    {
        lock (gate)
        {
            var subresource = ScaleOf(key);
            var existing = objects.GetValueOrDefault(key) ?? throw KubernetesStatus.NotFound(key.Resource, key.Name);
            return CommitScale(key, existing, subresource, scale, options ?? new WriteOptions());
        }
    }

    /// <summary>PATCH <c>/scale</c>: the patch applies to the Scale as it is now, then as <see cref="ReplaceScale"/>.</summary>
    public WriteResult PatchScale(ObjectKey key, string contentType, JsonNode? patch, WriteOptions? options = null)
    {
        lock (gate)
        {
            var subresource = ScaleOf(key);
            var existing = objects.GetValueOrDefault(key) ?? throw KubernetesStatus.NotFound(key.Resource, key.Name);
            var current = ToScale(existing, subresource);
            var patched = contentType switch
            {
                ObjectPatches.MergePatch => ObjectPatches.ApplyMergePatch(current, patch) as JsonObject
                    ?? throw KubernetesStatus.BadRequest("the merge patch does not produce an object"),
                ObjectPatches.JsonPatch => ObjectPatches.ApplyJsonPatch(current, patch as JsonArray
                    ?? throw KubernetesStatus.BadRequest("a JSON patch must be an array of operations")),
                _ => throw new KubernetesStatus(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {ObjectPatches.JsonPatch}, {ObjectPatches.MergePatch}"),
            };
            return CommitScale(key, existing, subresource, patched, options ?? new WriteOptions());
        }
    }

    public void Delete(ObjectKey key)
    {
        lock (gate)
        {
            if (!objects.Remove(key))
            {
                throw KubernetesStatus.NotFound(key.Resource, key.Name);
            }

            revision++;
        }
    }

    /// <summary>
    /// Test helper: changes a stored object the way another client (the operator, a person) would, through the same
    /// write path (resourceVersion bumped, schema checked). <paramref name="scope"/> Status changes only <c>status</c>.
    /// </summary>
    public JsonObject Update(ObjectKey key, Action<JsonObject> change, Scope scope = Scope.Main)
    {
        lock (gate)
        {
            var copy = Get(key);
            change(copy);
            copy["metadata"]!["resourceVersion"] = Get(key)["metadata"]!["resourceVersion"]?.DeepClone();
            return Replace(key, copy, scope).Object;
        }
    }

    private WriteResult Commit(ObjectKey key, JsonObject? existing, JsonObject candidate, Scope scope, WriteOptions options)
    {
        var schema = schemas.GetValueOrDefault((key.Group, key.Version, key.Plural));
        var metadata = candidate["metadata"] as JsonObject ?? new JsonObject();
        candidate["metadata"] = metadata;
        var name = (string?)metadata["name"];
        if (name is not null && name != key.Name)
        {
            throw KubernetesStatus.BadRequest($"the name of the object ({name}) does not match the name on the URL ({key.Name})");
        }

        candidate["apiVersion"] ??= $"{key.Group}/{key.Version}";
        candidate["kind"] ??= schema?.Kind;
        metadata["name"] = key.Name;
        metadata["namespace"] = key.Namespace;
        var requestedVersion = (string?)metadata["resourceVersion"];

        if (existing is null)
        {
            if (!string.IsNullOrEmpty(requestedVersion))
            {
                throw KubernetesStatus.BadRequest("resourceVersion should not be set on objects to be created");
            }

            if (schema?.HasStatusSubresource == true)
            {
                candidate.Remove("status");
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            metadata["generation"] = 1L;
        }
        else
        {
            var existingMetadata = existing["metadata"]!.AsObject();
            if (options.IsUpdate && string.IsNullOrEmpty(requestedVersion))
            {
                // Custom resources allow no unconditional update: a PUT must carry the resourceVersion it was read with.
                throw KubernetesStatus.Invalid(key.Plural, key.Group, key.Name,
                    [new FieldError(FieldError.ValueInvalid, "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")]);
            }

            if (!string.IsNullOrEmpty(requestedVersion) && requestedVersion != (string?)existingMetadata["resourceVersion"])
            {
                throw KubernetesStatus.Conflict(key.Resource, key.Name);
            }

            if (schema?.HasStatusSubresource == true)
            {
                candidate = scope == Scope.Main ? WithStatusOf(candidate, existing) : WithStatusOf(existing.DeepClone().AsObject(), candidate);
                metadata = candidate["metadata"]!.AsObject();
            }

            foreach (var immutable in new[] { "uid", "creationTimestamp", "generation", "resourceVersion" })
            {
                metadata[immutable] = existingMetadata[immutable]?.DeepClone();
            }
        }

        var warnings = new List<string>();
        var unknown = schema?.Prune(candidate) ?? [];
        if (unknown.Count > 0)
        {
            if (options.StrictFieldValidation)
            {
                throw KubernetesStatus.BadRequest(
                    $"{schema!.Kind} in version \"{key.Version}\" cannot be handled as a {schema.Kind}: strict decoding error: "
                    + string.Join(", ", unknown.Select(u => $"unknown field \"{u}\"")));
            }

            warnings.AddRange(unknown.Select(u => $"unknown field \"{u}\""));
        }

        var errors = ObjectMetaRules.Validate(candidate).Concat(schema?.Validate(candidate) ?? []).ToList();
        if (errors.Count > 0)
        {
            throw KubernetesStatus.Invalid(schema?.Kind ?? key.Plural, key.Group, key.Name, errors);
        }

        if (existing is not null)
        {
            if (JsonNode.DeepEquals(candidate, existing))
            {
                return new WriteResult(existing.DeepClone().AsObject(), warnings, Changed: false);
            }

            if (SpecChanged(existing, candidate))
            {
                metadata["generation"] = existing["metadata"]!["generation"]!.Deserialize<long>() + 1;
            }
        }

        if (options.DryRun)
        {
            return new WriteResult(candidate, warnings, Changed: false);
        }

        revision++;
        metadata["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        objects[key] = candidate;
        Committed?.Invoke(key, candidate.DeepClone().AsObject());
        return new WriteResult(candidate.DeepClone().AsObject(), warnings, Changed: true);
    }

    private ScaleSubresource ScaleOf(ObjectKey key) =>
        schemas.GetValueOrDefault((key.Group, key.Version, key.Plural))?.Scale
        ?? throw KubernetesStatus.NotFound(key.Resource, key.Name);

    private WriteResult CommitScale(ObjectKey key, JsonObject existing, ScaleSubresource subresource, JsonObject scale, WriteOptions options)
    {
        var name = (string?)scale["metadata"]?["name"];
        if (!string.IsNullOrEmpty(name) && name != key.Name)
        {
            throw KubernetesStatus.BadRequest($"the name of the object ({name}) does not match the name on the URL ({key.Name})");
        }

        // Decoding into autoscaling/v1 Scale: spec.replicas is an int32 (absent: 0).
        var replicas = 0;
        if (scale["spec"]?["replicas"] is { } node && !TryInt32(node, out replicas))
        {
            throw KubernetesStatus.BadRequest(
                $"Scale in version \"v1\" cannot be handled as a Scale: json: cannot unmarshal {node.GetValueKind().ToString().ToLowerInvariant()} into Go struct field ScaleSpec.spec.replicas of type int32");
        }

        var candidate = existing.DeepClone().AsObject();
        ScaleSubresource.Write(candidate, subresource.SpecReplicasPath, replicas);
        if ((string?)scale["metadata"]?["resourceVersion"] is { Length: > 0 } precondition)
        {
            candidate["metadata"]!["resourceVersion"] = precondition;
        }

        var result = Commit(key, existing, candidate, Scope.Main, options with { IsUpdate = false });
        return result with { Object = ToScale(result.Object, subresource) };
    }

    private static bool TryInt32(JsonNode node, out int value)
    {
        value = 0;
        if (node.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        try
        {
            value = node.Deserialize<int>();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static JsonObject ToScale(JsonObject obj, ScaleSubresource subresource)
    {
        var metadata = obj["metadata"]!;
        var spec = new JsonObject();
        var specReplicas = ScaleSubresource.Read(obj, subresource.SpecReplicasPath)?.Deserialize<long>() ?? 0;
        if (specReplicas != 0)
        {
            spec["replicas"] = specReplicas; // int32 with omitempty in ScaleSpec
        }

        var status = new JsonObject { ["replicas"] = ScaleSubresource.Read(obj, subresource.StatusReplicasPath)?.Deserialize<long>() ?? 0 };
        if (subresource.LabelSelectorPath is { } selectorPath && (string?)ScaleSubresource.Read(obj, selectorPath) is { Length: > 0 } selector)
        {
            status["selector"] = selector;
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = metadata["uid"]?.DeepClone(),
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = spec,
            ["status"] = status,
        };
    }

    private static JsonObject WithStatusOf(JsonObject target, JsonObject statusSource)
    {
        target.Remove("status");
        if (statusSource["status"] is { } status)
        {
            target["status"] = status.DeepClone();
        }

        return target;
    }

    private static bool SpecChanged(JsonObject before, JsonObject after)
    {
        var names = before.Select(p => p.Key).Union(after.Select(p => p.Key)).Where(n => n is not "metadata" and not "status");
        return names.Any(n => !JsonNode.DeepEquals(before[n], after[n]));
    }
}

/// <summary>
/// Query options of a write: <c>dryRun=All</c> and <c>fieldValidation=Strict</c>; <c>IsUpdate</c> marks a PUT (set by
/// the store), which on a custom resource must carry <c>metadata.resourceVersion</c>.
/// </summary>
public sealed record WriteOptions(bool DryRun = false, bool StrictFieldValidation = false, bool IsUpdate = false);

/// <summary>The object as stored after a write, the warnings the API server would send, and whether anything changed.</summary>
public sealed record WriteResult(JsonObject Object, IReadOnlyList<string> Warnings, bool Changed);
