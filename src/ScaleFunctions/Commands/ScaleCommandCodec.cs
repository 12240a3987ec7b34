using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleFunctions.Commands;

/// <summary>Reads and writes <see cref="ScaleCommand"/> queue messages (UTF-8 JSON; the queue client adds base64).</summary>
public static class ScaleCommandCodec
{
    /// <summary>Azure Storage's limit on a queue message, as stored: after base64 (which makes 4 bytes of every 3).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },

        // Not HTML: escaping '<' or non-ASCII as \uXXXX would make a message up to six times larger than its values.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(ScaleCommand command) => JsonSerializer.Serialize(command, Options);

    /// <summary>The size of the command's message on the queue: its UTF-8 JSON, base64-encoded.</summary>
    public static int EncodedLength(ScaleCommand command) => 4 * ((Encoding.UTF8.GetByteCount(Serialize(command)) + 2) / 3);

    /// <summary>Parses a message; throws <see cref="InvalidCommandException"/> with the reason when it is not a v1 command.</summary>
    public static ScaleCommand Deserialize(string json)
    {
        ScaleCommand? command;
        try
        {
            command = JsonSerializer.Deserialize<ScaleCommand>(json, Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidCommandException($"The message is not a valid command document: {ex.Message}", ex);
        }

        if (command is null)
        {
            throw new InvalidCommandException("The message is empty (JSON null).");
        }

        if (!string.Equals(command.Schema, ScaleCommand.CurrentSchema, StringComparison.Ordinal))
        {
            throw new InvalidCommandException($"Unsupported schema '{command.Schema}'; this version reads '{ScaleCommand.CurrentSchema}'.");
        }

        if (command.Alerts.Count == 0)
        {
            throw new InvalidCommandException("A command must name at least one alert.");
        }

        if (command.AlertCount != 0 && command.AlertCount < command.Alerts.Count)
        {
            throw new InvalidCommandException($"alertCount {command.AlertCount} is less than the {command.Alerts.Count} alerts listed.");
        }

        // Messages written before alertCount existed list every alert.
        return command.AlertCount == 0 ? command with { AlertCount = command.Alerts.Count } : command;
    }
}

/// <summary>A queue message that can never be executed (wrong schema, malformed). Permanent: never retried.</summary>
public sealed class InvalidCommandException(string message, Exception? inner = null) : Exception(message, inner);
