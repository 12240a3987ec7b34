using System.Text.Json;

namespace ScaleFunctions.Rebalance.CruiseControl.Models;

/// <summary>How Cruise Control's JSON is read. Field names are given on the models; unknown fields are ignored.</summary>
public static class CruiseControlJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
