using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests;

/// <summary>Integration tests that share one real Azurite (each uses its own queue and table names).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
