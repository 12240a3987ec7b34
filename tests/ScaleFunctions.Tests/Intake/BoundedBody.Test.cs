using ScaleFunctions.Intake;

namespace ScaleFunctions.Tests.Intake;

/// <summary>
/// The body is read into a pooled buffer sized from the Content-Length: what arrives is what is read, whatever the
/// header said, and the limit holds to the byte whether the body comes in one read or one byte at a time.
/// </summary>
public sealed class BoundedBodyTest
{
    private const int Limit = 4096;

    [Theory]
    [InlineData(0, null)]
    [InlineData(1, null)]
    [InlineData(Limit, null)]
    [InlineData(Limit, (long)Limit)]
    [InlineData(100, 100L)]
    [InlineData(100, 10L)] // the header said less than arrived
    [InlineData(100, 1000L)] // or more
    [InlineData(40_000, null)] // more than one 16 KiB chunk, read whole
    public async Task Reads_every_byte_that_arrives(int size, long? contentLength)
    {
        var bytes = Bytes(size);
        foreach (var stream in Streams(bytes))
        {
            using var body = await BoundedBody.ReadAsync(stream, Math.Max(Limit, size), CancellationToken.None, contentLength);

            Assert.NotNull(body);
            Assert.Equal(bytes, body.Span.ToArray());
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData((long)Limit)]
    [InlineData(10L)]
    public async Task Refuses_one_byte_past_the_limit(long? contentLength)
    {
        foreach (var stream in Streams(Bytes(Limit + 1)))
        {
            Assert.Null(await BoundedBody.ReadAsync(stream, Limit, CancellationToken.None, contentLength));
        }
    }

    [Fact]
    public async Task A_disposed_body_is_empty()
    {
        var body = await BoundedBody.ReadAsync(new MemoryStream(Bytes(10)), Limit, CancellationToken.None, 10);
        body!.Dispose();
        body.Dispose();

        Assert.Equal(0, body.Span.Length);
    }

    private static byte[] Bytes(int size) => [.. Enumerable.Range(0, size).Select(i => (byte)(i * 31))];

    // All at once, and one byte per read (a slow sender, a chunked body).
    private static IEnumerable<Stream> Streams(byte[] bytes) => [new MemoryStream(bytes), new TrickleStream(bytes)];

    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
