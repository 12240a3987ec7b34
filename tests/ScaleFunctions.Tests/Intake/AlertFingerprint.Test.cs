using ScaleFunctions.Intake;

namespace ScaleFunctions.Tests.Intake;

public sealed class AlertFingerprintTest
{
    [Fact]
    public void Fingerprints_the_empty_label_set_as_the_FNV_offset_basis()
    {
        Assert.Equal("cbf29ce484222325", AlertFingerprint.Of(new Dictionary<string, string>()));
    }

    [Fact]
    public void Does_not_depend_on_label_order()
    {
        var a = new Dictionary<string, string> { ["alertname"] = "X", ["namespace"] = "kafka", ["kafka_cr"] = "kafka" };
        var b = new Dictionary<string, string> { ["kafka_cr"] = "kafka", ["alertname"] = "X", ["namespace"] = "kafka" };

        Assert.Equal(AlertFingerprint.Of(a), AlertFingerprint.Of(b));
        Assert.Matches("^[0-9a-f]{16}$", AlertFingerprint.Of(a));
    }

    [Fact]
    public void Separates_names_from_values()
    {
        var a = new Dictionary<string, string> { ["ab"] = "c" };
        var b = new Dictionary<string, string> { ["a"] = "bc" };

        Assert.NotEqual(AlertFingerprint.Of(a), AlertFingerprint.Of(b));
    }
}
