namespace Veil.DataLoading.Datasets;

/// <summary>
/// Finds the Fashion-MNIST directory: the configured one (HOCON <c>veil.data.path</c>) when given,
/// otherwise where Debian's <c>dataset-fashion-mnist</c> package installs it. A configured path
/// that lacks the files is an error, not a cue to fall back: silently training on other data
/// than the configuration names would charge privacy to the wrong dataset.
/// </summary>
public sealed class FashionMnistLocator
{
    /// <summary>Where <c>apt-get install dataset-fashion-mnist</c> puts the four .gz files (Debian 12).</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    private readonly IReadOnlyList<string> _defaults;

    /// <summary>Searches <see cref="DebianDirectory"/> when no path is configured.</summary>
    public FashionMnistLocator() : this([DebianDirectory]) { }

    /// <summary>Searches <paramref name="defaultDirectories"/>, in order, when no path is configured (tests use this).</summary>
    public FashionMnistLocator(IReadOnlyList<string> defaultDirectories) => _defaults = defaultDirectories;

    /// <summary>The files, or a <see cref="DatasetNotFoundException"/> naming every directory searched and the fix.</summary>
    /// <param name="configuredPath">The value of <c>veil.data.path</c>, or null/empty when unset.</param>
    public FashionMnistFiles Locate(string? configuredPath = null)
    {
        IReadOnlyList<string> searched = string.IsNullOrWhiteSpace(configuredPath) ? _defaults : [configuredPath];
        foreach (string directory in searched)
        {
            if (FashionMnistFiles.In(directory) is { } files) return files;
        }

        string names = string.Join(", ", FashionMnistFiles.BaseNames.Select(n => n + "[.gz]"));
        throw new DatasetNotFoundException(
            $"Fashion-MNIST not found: searched {string.Join(", ", searched)} for {names}. " +
            "Install it with `apt-get install dataset-fashion-mnist` (or `./run.sh` does it) or set `veil.data.path` " +
            "to a directory holding those four files.",
            searched);
    }

    /// <summary>True when <see cref="Locate"/> would succeed; for callers (and tests) that must skip, not fail.</summary>
    public bool TryLocate(string? configuredPath, out FashionMnistFiles? files)
    {
        try
        {
            files = Locate(configuredPath);
            return true;
        }
        catch (DatasetNotFoundException)
        {
            files = null;
            return false;
        }
    }
}
