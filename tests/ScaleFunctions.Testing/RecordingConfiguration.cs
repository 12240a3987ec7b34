using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace ScaleFunctions.Testing;

/// <summary>
/// An <see cref="IConfiguration"/> that remembers every key read through it (sections asked for, values read, children
/// listed), so a test can learn which settings the code binds: options binding reads each property's key, present or not.
/// </summary>
public sealed class RecordingConfiguration(IConfiguration inner) : IConfiguration
{
    private readonly ConcurrentDictionary<string, byte> reads = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every configuration path read so far (<c>Clusters:0:Namespace</c>, …).</summary>
    public IReadOnlyCollection<string> Reads => reads.Keys.ToList();

    public string? this[string key]
    {
        get
        {
            Record(key);
            return inner[key];
        }
        set => inner[key] = value;
    }

    public IConfigurationSection GetSection(string key) => new Section(inner.GetSection(key), this);

    public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren().Select(c => new Section(c, this));

    public IChangeToken GetReloadToken() => inner.GetReloadToken();

    private void Record(string path) => reads.TryAdd(path, 0);

    private sealed class Section(IConfigurationSection inner, RecordingConfiguration recorder) : IConfigurationSection
    {
        public string Key => inner.Key;

        public string Path => inner.Path;

        public string? Value
        {
            get
            {
                recorder.Record(inner.Path);
                return inner.Value;
            }
            set => inner.Value = value;
        }

        public string? this[string key]
        {
            get
            {
                recorder.Record(ConfigurationPath.Combine(inner.Path, key));
                return inner[key];
            }
            set => inner[key] = value;
        }

        public IConfigurationSection GetSection(string key) => new Section(inner.GetSection(key), recorder);

        public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren().Select(c => new Section(c, recorder));

        public IChangeToken GetReloadToken() => inner.GetReloadToken();
    }
}
