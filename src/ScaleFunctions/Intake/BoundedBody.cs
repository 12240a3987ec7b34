using System.Buffers;

namespace ScaleFunctions.Intake;

/// <summary>Reads a request body of at most a given size, also when it is chunked (no Content-Length).</summary>
public static class BoundedBody
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>
    /// The body's bytes, or null as soon as more than <paramref name="maxBytes"/> arrive. The bytes are in a buffer from
    /// the shared pool (a body is read once and parsed into copies; an alert storm's bodies need not be garbage), sized
    /// from <paramref name="expectedLength"/> (the Content-Length) when there is one; a body that turns out longer or
    /// shorter is still read whole, up to the limit.
    /// </summary>
    public static async Task<PooledBody?> ReadAsync(Stream body, long maxBytes, CancellationToken cancellationToken, long? expectedLength = null)
    {
        // One byte more than expected, so that the end of the body is seen without growing the buffer.
        var result = new PooledBody((int)Math.Min(expectedLength is > 0 and var length ? length + 1 : ChunkBytes, maxBytes + 1));
        try
        {
            int read;
            while ((read = await body.ReadAsync(result.Free(maxBytes), cancellationToken)) > 0)
            {
                if (!result.Advance(read, maxBytes))
                {
                    result.Dispose();
                    return null;
                }
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }
}

/// <summary>A request body in a buffer rented from <see cref="ArrayPool{T}.Shared"/>; disposing returns the buffer.</summary>
public sealed class PooledBody : IDisposable
{
    private byte[] buffer;

    internal PooledBody(int capacity) => buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length { get; private set; }

    /// <summary>The body; valid until disposed.</summary>
    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, Length);

    public void Dispose()
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
            Length = 0;
        }
    }

    // Room for the next read: what is left of the buffer, grown (never past one byte over the limit) when it is full.
    internal Memory<byte> Free(long maxBytes)
    {
        if (Length == buffer.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, maxBytes + 1));
            buffer.AsSpan(0, Length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = grown;
        }

        return buffer.AsMemory(Length);
    }

    // False when the body has grown past the limit.
    internal bool Advance(int read, long maxBytes)
    {
        Length += read;
        return Length <= maxBytes;
    }
}
