using System.Security.Cryptography;
using System.Text;

namespace ScaleFunctions.Intake;

/// <summary>
/// A configured secret, kept only as its SHA-256 digest. <see cref="Matches"/> compares digests with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>: the time taken depends neither on where the presented value
/// differs nor on its length.
/// </summary>
public sealed class SecretDigest(string secret)
{
    private readonly byte[] digest = Digest(secret);

    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(digest, Digest(presented));

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
