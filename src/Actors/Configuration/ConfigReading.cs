using System.Globalization;
using Akka.Configuration;

namespace Veil.Actors.Configuration;

/// <summary>Typed reads that turn a bad value into an error naming the key and what it should be.</summary>
public static class ConfigReading
{
    public static double Double(Config config, string key, Func<double, bool> valid, string range)
    {
        var text = config.GetString(key);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new ConfigurationException($"{key} = \"{text}\" is not a number; expected a value in {range}");
        if (!valid(value)) throw new ConfigurationException($"{key} = {text} is out of range; expected a value in {range}");
        return value;
    }

    /// <summary>A boolean key (true/on/yes, false/off/no, as HOCON spells them); anything else is refused naming the key.</summary>
    public static bool Boolean(Config config, string key)
    {
        var text = config.GetString(key);
        return text?.Trim().ToLowerInvariant() switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            _ => throw new ConfigurationException($"{key} = \"{text}\" is not a boolean; expected true or false"),
        };
    }

    /// <summary>A seed key: an unsigned 64-bit integer, else an error naming the key (and <paramref name="expected"/>, if given).</summary>
    public static ulong UnsignedSeed(Config config, string key, string? expected = null)
    {
        var text = config.GetString(key);
        if (!ulong.TryParse(text, out var value))
            throw new ConfigurationException($"{key} = \"{text}\" is not an unsigned integer" + (expected is null ? "" : "; " + expected));
        return value;
    }

    public static string OneOf(Config config, string key, IReadOnlyList<string> allowed)
    {
        var value = config.GetString(key);
        if (!allowed.Contains(value))
            throw new ConfigurationException($"{key} = \"{value}\" is not allowed; expected one of {string.Join(", ", allowed)}");
        return value;
    }

    public static string NonEmpty(Config config, string key)
    {
        var value = config.GetString(key);
        if (string.IsNullOrWhiteSpace(value)) throw new ConfigurationException($"{key} is empty; give it a value (see hocon/reference.conf)");
        return value;
    }
}
