using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>The API server's checks of <c>metadata</c> that a CRD schema does not express: names, label and annotation keys, sizes.</summary>
internal static partial class ObjectMetaRules
{
    private const int MaxAnnotationBytes = 256 * 1024;

    public static IReadOnlyList<FieldError> Validate(JsonObject instance)
    {
        var errors = new List<FieldError>();
        var metadata = instance["metadata"] as JsonObject;
        var name = (string?)metadata?["name"];
        if (name is null || !DnsSubdomain().IsMatch(name))
        {
            errors.Add(name is null
                ? FieldError.Required("metadata.name")
                : FieldError.Invalid("metadata.name", name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
        }

        if (metadata?["annotations"] is JsonObject annotations)
        {
            var size = 0;
            foreach (var (key, value) in annotations)
            {
                if (!QualifiedName(key))
                {
                    errors.Add(FieldError.Invalid("metadata.annotations", key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
                }

                if (value is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String)
                {
                    errors.Add(FieldError.TypeInvalid($"metadata.annotations[{key}]", value, "string"));
                    continue;
                }

                size += key.Length + v.GetValue<string>().Length;
            }

            if (size > MaxAnnotationBytes)
            {
                errors.Add(new FieldError("FieldValueTooLong", "metadata.annotations", $"Too long: may not be more than {MaxAnnotationBytes} bytes"));
            }
        }

        if (metadata?["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                if (!QualifiedName(key) || value is not JsonValue v || !LabelValue().IsMatch(v.ToString()))
                {
                    errors.Add(FieldError.Invalid("metadata.labels", value, $"label {key}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'"));
                }
            }
        }

        return errors;
    }

    private static bool QualifiedName(string key)
    {
        var slash = key.LastIndexOf('/');
        var prefix = slash < 0 ? null : key[..slash];
        var name = slash < 0 ? key : key[(slash + 1)..];
        return (prefix is null || DnsSubdomain().IsMatch(prefix)) && name.Length is > 0 and <= 63 && NamePart().IsMatch(name);
    }

    [GeneratedRegex("^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex NamePart();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}
