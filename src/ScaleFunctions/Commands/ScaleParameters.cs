namespace ScaleFunctions.Commands;

/// <summary>
/// Validated parameters from the alert's annotations. Each is null when the alert did not set it.
/// Sizes are Kubernetes quantities in canonical form (for example <c>10Gi</c>, <c>2G</c>).
/// </summary>
public sealed record ScaleParameters
{
    public string? BrokerConfigGroup { get; init; }
    public string? StorageClass { get; init; }
    public string? MountPath { get; init; }
    public string? DiskSize { get; init; }
    public string? Image { get; init; }
    public IReadOnlyDictionary<string, string>? BrokerAnnotations { get; init; }
    public string? IncrementBy { get; init; }
}
