namespace ScaleFunctions.Intake;

/// <summary>Reads a request body of at most a given size, also when it is chunked (no Content-Length).</summary>
public static class BoundedBody
{
    /// <summary>The body's bytes, or null as soon as more than <paramref name="maxBytes"/> arrive.</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
