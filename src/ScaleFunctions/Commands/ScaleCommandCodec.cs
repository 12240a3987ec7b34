using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleFunctions.Commands;

/// <summary>Reads and writes <see cref="ScaleCommand"/> queue messages (UTF-8 JSON; the queue client adds base64).</summary>
public static class ScaleCommandCodec
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(ScaleCommand command) => JsonSerializer.Serialize(command, Options);

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

        return command;
    }
}
