using System.Buffers;

namespace ScaleFunctions.Intake;

/// <summary>Reads a request body of at most a given size, also when it is chunked (no Content-Length).</summary>
public static class BoundedBody
{
    /// <summary>
    /// The body's bytes, or null as soon as more than <paramref name="maxBytes"/> arrive. With
    /// <paramref name="expectedLength"/> (the Content-Length) the buffer is allocated once at that size and returned
    /// without a copy; a body that turns out longer or shorter is still read whole (up to the limit).
    /// </summary>
    public static async Task<byte[]?> ReadAsync(Stream body, long maxBytes, CancellationToken cancellationToken, long? expectedLength = null)
    {
        using var buffer = new MemoryStream(expectedLength is > 0 and var length && length <= maxBytes ? (int)length : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        // Filled exactly to the Content-Length: the stream's own array is the body.
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }
}
