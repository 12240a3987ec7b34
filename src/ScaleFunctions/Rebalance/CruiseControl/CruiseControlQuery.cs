using System.Text;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>A Cruise Control query string. Always starts with <c>json=true</c>.</summary>
public sealed class CruiseControlQuery
{
    private readonly List<KeyValuePair<string, string>> parameters = [new("json", "true")];

    public IReadOnlyList<KeyValuePair<string, string>> Parameters => parameters;

    /// <summary>True when the request is an explicit dry run (safe to repeat).</summary>
    public bool IsDryRun => parameters.Any(p => p.Key == "dryrun" && p.Value == "true");

    /// <summary>True when the request may start an execution (<c>dryrun=false</c>).</summary>
    public bool StartsExecution => parameters.Any(p => p.Key == "dryrun" && p.Value == "false");

    public CruiseControlQuery Add(string name, bool value) => Add(name, value ? "true" : "false");

    public CruiseControlQuery Add(string name, string value)
    {
        parameters.Add(new(name, value));
        return this;
    }

    public CruiseControlQuery AddIf(string name, string? value) => value is null ? this : Add(name, value);

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            text.Append(text.Length == 0 ? "" : "&").Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return text.ToString();
    }
}
