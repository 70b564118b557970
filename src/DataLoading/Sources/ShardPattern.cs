using System.Text.RegularExpressions;
using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.Sources;

/// <summary>
/// Which tar shards a source names, resolved once at start. Forms:
/// <list type="bullet">
/// <item><c>dir/shard-{000000..000099}.tar</c> — a numeric brace range (WebDataset's notation): every
/// shard in the range must exist, so a missing shard is an error at start, naming it;</item>
/// <item><c>dir/shard-*.tar</c> — a glob in the file name (sorted ordinally);</item>
/// <item><c>dir</c> — every <c>*.tar</c> in the folder (sorted);</item>
/// <item><c>dir/one.tar</c> — one shard.</item>
/// </list>
/// </summary>
public static partial class ShardPattern
{
    [GeneratedRegex(@"\{(\d+)\.\.(\d+)\}")]
    private static partial Regex BraceRange();

    /// <exception cref="DatasetNotFoundException">A named shard, the folder, or any match is missing.</exception>
    public static IReadOnlyList<string> Expand(string pattern)
    {
        if (Directory.Exists(pattern))
        {
            string[] all = Directory.GetFiles(pattern, "*.tar").Order(StringComparer.Ordinal).ToArray();
            return all.Length > 0 ? all : throw new DatasetNotFoundException($"folder {pattern} holds no .tar shards", [pattern]);
        }
        Match range = BraceRange().Match(pattern);
        if (range.Success)
        {
            string from = range.Groups[1].Value, to = range.Groups[2].Value;
            long first = long.Parse(from), last = long.Parse(to);
            if (last < first || last - first > 10_000_000) throw new ArgumentException($"shard range {range.Value} in {pattern} is empty or absurd");
            int width = from.Length > 1 && from[0] == '0' ? from.Length : 0;
            var paths = new List<string>();
            for (long s = first; s <= last; s++)
                paths.Add(pattern[..range.Index] + (width > 0 ? s.ToString("D" + width) : s.ToString()) + pattern[(range.Index + range.Length)..]);
            string[] missing = paths.Where(p => !File.Exists(p)).ToArray();
            if (missing.Length > 0)
                throw new DatasetNotFoundException($"{missing.Length} of the {paths.Count} shards of {pattern} are missing, first {missing[0]}; " +
                                                   "copy them back or shrink the range", missing);
            return paths;
        }
        string directory = Path.GetDirectoryName(pattern) is { Length: > 0 } d ? d : ".";
        string name = Path.GetFileName(pattern);
        if (name.Contains('*') || name.Contains('?'))
        {
            if (!Directory.Exists(directory)) throw new DatasetNotFoundException($"shard folder {directory} does not exist", [directory]);
            string[] matched = Directory.GetFiles(directory, name).Order(StringComparer.Ordinal).ToArray();
            return matched.Length > 0 ? matched : throw new DatasetNotFoundException($"no shard matches {pattern}", [directory]);
        }
        return File.Exists(pattern) ? [pattern] : throw new DatasetNotFoundException($"shard {pattern} does not exist", [pattern]);
    }
}
