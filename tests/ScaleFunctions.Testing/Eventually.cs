namespace ScaleFunctions.Testing;

/// <summary>
/// Polls a condition until it holds or a deadline passes: for effects of other processes (Alertmanager delivering,
/// a queue listener settling) that offer no signal to await. The deadline bounds a failure; it is not a timing claim.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? deadline = null)
        where T : class
    {
        var until = DateTimeOffset.UtcNow + (deadline ?? DefaultDeadline);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null) =>
        GetAsync(async () => await condition() ? "" : null, what, deadline);
}
