using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using ScaleFunctions.Storage;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The one-line answer to "a port the local host needs is taken" (typically an earlier <c>npm start</c> still
/// running), checked before anything starts, instead of Kestrel's or Azurite's stack trace.
/// </summary>
public static class PortInUse
{
    /// <summary>What to tell the user if a port this app would listen on is taken; null when all are free.</summary>
    public static string? Check(WebApplication app)
    {
        foreach (var (address, port) in HttpEndpoints(app.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            if (!CanBind(address, port))
            {
                return Message(port, "the HTTP server", $"or start on another port: npm start -- --urls http://127.0.0.1:<port>");
            }
        }

        var storage = app.Services.GetRequiredService<StorageAccount>();
        return EmbeddedAzurite.PortInUse(storage, app.Configuration) is { } azurite
            ? Message(azurite.Port, $"Azurite's {azurite.Service} service", "or point AzureWebJobsStorage at a storage account or an Azurite you run yourself")
            : null;
    }

    /// <summary>The same message for Kestrel's own bind failure (a port taken between the check and the start).</summary>
    public static string? Describe(Exception exception, IConfiguration configuration)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AddressInUseException)
            {
                var port = HttpEndpoints(configuration[WebHostDefaults.ServerUrlsKey]).Select(p => p.Port).FirstOrDefault();
                return Message(port, "the HTTP server", "or start on another port: npm start -- --urls http://127.0.0.1:<port>");
            }
        }

        return null;
    }

    private static string Message(int port, string what, string alternative) =>
        $"Cannot start: port {port} ({what}) on 127.0.0.1 is already in use, most likely by an earlier 'npm start' that is " +
        $"still running. Stop that process (ss -ltnp 'sport = :{port}' shows it), {alternative}.";

    private static IEnumerable<(IPAddress Address, int Port)> HttpEndpoints(string? urls)
    {
        foreach (var url in (urls is { Length: > 0 } ? urls : "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel also accepts "*" and "+" as hosts, which Uri does not parse.
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Port <= 0)
            {
                continue;
            }

            var address = uri.IsLoopback && !IPAddress.TryParse(uri.Host, out _) ? IPAddress.Loopback
                : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed : IPAddress.Any;
            yield return (address, uri.Port);
        }
    }

    private static bool CanBind(IPAddress address, int port)
    {
        var listener = new TcpListener(address, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }
}
