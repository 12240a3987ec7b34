using ScaleFunctions.Configuration;

namespace ScaleFunctions.Commands;

/// <summary>Which cluster resource a command is about.</summary>
public sealed record ClusterRef(string Namespace, string Name, ClusterKind Kind)
{
    public override string ToString() => $"{Namespace}/{Name}";
}
