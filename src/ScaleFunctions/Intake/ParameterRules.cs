using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Models;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Intake;

/// <summary>
/// Validation of each parameter an alert can carry. Every rule returns the normalised value, or null with the reason
/// in <c>error</c>. Values are length-checked before any regular expression sees them.
/// </summary>
public static partial class ParameterRules
{
    public const int MaxImageLength = 255;
    public const int MaxBrokerAnnotationsLength = 4096;
    public const int MaxBrokerAnnotations = 32;
    private const int MaxQuantityLength = 32;
    private const int MaxMountPathLength = 255;
    private const int MaxDnsSubdomainLength = 253;
    private const int MaxConfigGroupLength = 63;
    private static readonly decimal MaxBytes = new ResourceQuantity("1Pi").ToDecimal();

    /// <summary>A size in bytes: a Kubernetes quantity, a whole number from 1 byte to 1Pi, returned in canonical form.</summary>
    public static string? Quantity(string name, string value, out string? error)
    {
        error = $"{name} '{Excerpt.Of(value)}' is not a Kubernetes quantity of bytes between 1 and 1Pi (for example 10Gi or 500G).";
        if (value.Length > MaxQuantityLength || value.Any(char.IsWhiteSpace))
        {
            return null;
        }

        ResourceQuantity quantity;
        decimal bytes;
        try
        {
            quantity = new ResourceQuantity(value);
            bytes = quantity.ToDecimal();
        }
        // ArithmeticException: OverflowException (1e400), and DivideByZeroException, which KubernetesClient throws
        // for the "NaN" it parses without complaint.
        catch (Exception ex) when (ex is FormatException or ArithmeticException or ArgumentException)
        {
            return null;
        }

        if (bytes < 1 || bytes > MaxBytes || decimal.Truncate(bytes) != bytes)
        {
            return null;
        }

        error = null;
        return quantity.CanonicalizeString();
    }

    /// <summary>An absolute, clean path: <c>/segment[/segment…]</c>, no <c>.</c> or <c>..</c>, no trailing slash.</summary>
    public static string? MountPath(string value, out string? error)
    {
        var ok = value.Length <= MaxMountPathLength && IsWhole(MountPathPattern(), value) &&
            !value.Split('/').Any(segment => segment is "." or "..");
        error = ok ? null : $"mountPath '{Excerpt.Of(value)}' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-').";
        return ok ? value : null;
    }

    /// <summary>A Kubernetes object name (DNS-1123 subdomain): storage class, persistent volume claim.</summary>
    public static string? ObjectName(string name, string value, out string? error)
    {
        var ok = value.Length <= MaxDnsSubdomainLength && IsWhole(DnsSubdomainPattern(), value);
        error = ok ? null : $"{name} '{Excerpt.Of(value)}' is not a Kubernetes object name (lower-case DNS-1123 subdomain).";
        return ok ? value : null;
    }

    /// <summary>A key of the cluster's <c>brokerConfigGroups</c>: letters, digits, <c>-</c>, <c>_</c>, <c>.</c>, at most 63.</summary>
    public static string? ConfigGroup(string value, out string? error)
    {
        var ok = value.Length <= MaxConfigGroupLength && IsWhole(ConfigGroupPattern(), value);
        error = ok ? null : $"brokerConfigGroup '{Excerpt.Of(value)}' is not a broker config group name (letters, digits, '-', '_', '.', at most 63).";
        return ok ? value : null;
    }

    /// <summary>A broker id: a non-negative decimal integer without leading zeros.</summary>
    public static int? BrokerId(string value, out string? error)
    {
        var ok = IsWhole(BrokerIdPattern(), value);
        error = ok ? null : $"brokerId '{Excerpt.Of(value)}' is not a broker id (a non-negative integer).";
        return ok ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>An image reference that starts with one of the allowed prefixes (none allowed: every image is refused).</summary>
    public static string? Image(string value, IReadOnlyCollection<string> allowedPrefixes, out string? error)
    {
        if (value.Length > MaxImageLength || !IsWhole(ImagePattern(), value))
        {
            error = $"image '{Excerpt.Of(value)}' is not a valid image reference.";
            return null;
        }

        if (!allowedPrefixes.Any(prefix => value.StartsWith(prefix, StringComparison.Ordinal) && value.Length > prefix.Length))
        {
            error = allowedPrefixes.Count == 0
                ? "image annotations are refused: Intake:AllowedImagePrefixes is empty."
                : $"image '{Excerpt.Of(value)}' does not start with any prefix in Intake:AllowedImagePrefixes.";
            return null;
        }

        error = null;
        return value;
    }

    /// <summary>A JSON object of Kubernetes annotation keys to string values, when allowed at all.</summary>
    public static IReadOnlyDictionary<string, string>? BrokerAnnotations(string value, bool allowed, out string? error)
    {
        if (!allowed)
        {
            error = "brokerAnnotations are refused: Intake:AllowBrokerAnnotations is false.";
            return null;
        }

        error = BrokerAnnotationsProblem(value, out var result);
        return error is null ? result : null;
    }

    // Each rejection says what is wrong, quoting the offending key (cut), so that the rule's author can fix it.
    private static string? BrokerAnnotationsProblem(string value, out Dictionary<string, string> result)
    {
        result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value.Length > MaxBrokerAnnotationsLength)
        {
            return $"brokerAnnotations is {value.Length} characters, more than {MaxBrokerAnnotationsLength}.";
        }

        try
        {
            using var document = JsonDocument.Parse(value, new JsonDocumentOptions { MaxDepth = 2, AllowDuplicateProperties = false });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return $"brokerAnnotations must be a JSON object of annotation keys to strings, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.";
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!IsAnnotationKey(property.Name))
                {
                    return $"brokerAnnotations key '{Excerpt.Of(property.Name)}' is not a Kubernetes annotation key ([prefix/]name).";
                }

                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    return $"brokerAnnotations value of '{Excerpt.Of(property.Name)}' must be a string.";
                }

                if (!result.TryAdd(property.Name, property.Value.GetString()!))
                {
                    return $"brokerAnnotations key '{Excerpt.Of(property.Name)}' appears twice.";
                }

                if (result.Count > MaxBrokerAnnotations)
                {
                    return $"brokerAnnotations has more than {MaxBrokerAnnotations} annotations.";
                }
            }
        }
        catch (JsonException ex)
        {
            return ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)
                ? "brokerAnnotations has a key that appears twice."
                : ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? "brokerAnnotations values must be strings, not nested objects or arrays."
                : $"brokerAnnotations is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).";
        }

        return null;
    }

    private static bool IsAnnotationKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash < 0 ? null : key[..slash];
        var name = slash < 0 ? key : key[(slash + 1)..];
        return (prefix is null || (prefix.Length <= MaxDnsSubdomainLength && IsWhole(DnsSubdomainPattern(), prefix))) &&
            name.Length <= 63 && IsWhole(QualifiedNamePattern(), name);
    }

    // Regex.IsMatch lets "$" match before a final newline; a value must match from its first to its last character.
    // EnumerateMatches gives the first match without allocating a Match (this runs for several values of every alert).
    private static bool IsWhole(Regex pattern, string value)
    {
        foreach (var match in pattern.EnumerateMatches(value))
        {
            return match.Length == value.Length;
        }

        return false;
    }

    [GeneratedRegex(@"^(/[A-Za-z0-9._-]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex MountPathPattern();

    [GeneratedRegex(Configuration.KubernetesNames.DnsSubdomain, RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomainPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex ConfigGroupPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedNamePattern();

    [GeneratedRegex(@"^(0|[1-9][0-9]{0,8})$", RegexOptions.CultureInvariant)]
    private static partial Regex BrokerIdPattern();

    // The image reference grammar of the OCI distribution project: [domain[:port]/]path[:tag][@digest].
    [GeneratedRegex(
        @"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?" +
        @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*" +
        @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?" +
        @"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex ImagePattern();
}
