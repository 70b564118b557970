using System.Globalization;
using System.Text.Json;
using Veil.DataLoading.Sources;

namespace Veil.DataLoading.Ownership;

/// <summary>
/// An ownership manifest: which user owns which example, as CSV (a header naming the columns, then one row per example) or JSON
/// lines (one object per line). Each entry has a <c>user</c> and names its example by exactly one of <c>file</c> (the path
/// relative to an image folder's root, '/' between folders), <c>sha256</c> (of the file's bytes, as `sha256sum` prints it;
/// identical files share an entry) or <c>index</c> (the example's position in the source, 0…N−1, for sources without files).
/// An entry naming no example of the source, an example given two users, and an example given none are refused, naming it.
/// </summary>
public static class OwnerManifest
{
    private static readonly string[] Keys = ["file", "sha256", "index"];

    /// <param name="files">The source's files, or null when it has none (then only <c>index</c> works).</param>
    public static ExampleOwners Read(string path, int examples, IExampleFiles? files)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new OwnershipException($"the ownership manifest {full} does not exist (veil.data.owners.manifest)");
        var entries = full.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(full)
            : full.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || full.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReadJsonLines(full)
            : throw new OwnershipException($"the ownership manifest {full} must end in .csv or .jsonl (JSON lines)");
        var byFile = files is null ? null : new Lazy<Dictionary<string, int>>(() =>
            Enumerable.Range(0, files.Count).ToDictionary(files.RelativePathOf, i => i, StringComparer.Ordinal));
        var byHash = files is null ? null : new Lazy<ILookup<string, int>>(() =>
            Enumerable.Range(0, files.Count).ToLookup(files.Sha256Of, i => i, StringComparer.Ordinal));
        var owner = new string?[examples];
        var source = new int[examples];
        foreach (var (line, key, value, user) in entries)
        {
            IEnumerable<int> named = key switch
            {
                "index" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < examples
                    ? [i]
                    : throw new OwnershipException($"{full} line {line}: index {value} is not an example of the source (0…{examples - 1})"),
                "file" => byFile is null ? throw NoFiles(full, line, key)
                    : byFile.Value.TryGetValue(value.Replace('\\', '/').TrimStart('/'), out var f) ? [f]
                    : throw new OwnershipException($"{full} line {line}: file {value} is not among the source's images (a path relative to its root)"),
                _ => byHash is null ? throw NoFiles(full, line, key)
                    : byHash.Value[value.ToLowerInvariant()] is var same && same.Any() ? same
                    : throw new OwnershipException($"{full} line {line}: no image of the source has sha256 {value}"),
            };
            foreach (var example in named)
            {
                if (owner[example] is { } earlier && earlier != user)
                    throw new OwnershipException(
                        $"{Describe(example, files)} has two owners in {full}: {earlier} (line {source[example]}) and {user} (line {line}); " +
                        "an example belongs to exactly one user");
                owner[example] = user;
                source[example] = line;
            }
        }
        return ExampleOwners.FromUserIds(owner, i => $"{Describe(i, files)} (not in {full})");
    }

    private static string Describe(int example, IExampleFiles? files) =>
        files is null ? $"example {example}" : $"example {example} ({files.RelativePathOf(example)})";

    private static OwnershipException NoFiles(string path, int line, string key) =>
        new($"{path} line {line} names an example by {key}, but the source has no files (IDX or tar shards): name examples by index");

    private static IEnumerable<(int Line, string Key, string Value, string User)> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new OwnershipException($"{path} is empty; expected a header such as file,user");
        var columns = SplitCsv(header).Select(c => c.Trim().ToLowerInvariant()).ToList();
        var userColumn = columns.IndexOf("user");
        var keys = Keys.Where(columns.Contains).ToList();
        if (userColumn < 0 || keys.Count != 1)
            throw new OwnershipException($"{path}'s header is \"{header}\"; it needs a user column and exactly one of file, sha256, index");
        var keyColumn = columns.IndexOf(keys[0]);
        var number = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (line.Trim().Length == 0) continue;
            var fields = SplitCsv(line);
            if (fields.Count != columns.Count)
                throw new OwnershipException($"{path} line {number} has {fields.Count} fields; the header has {columns.Count}");
            yield return (number, keys[0], fields[keyColumn].Trim(), Required(fields[userColumn], path, number));
        }
    }

    private static IEnumerable<(int Line, string Key, string Value, string User)> ReadJsonLines(string path)
    {
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Trim().Length == 0) continue;
            JsonElement entry;
            try
            {
                entry = JsonDocument.Parse(line).RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new OwnershipException($"{path} line {number} is not JSON ({e.Message})");
            }
            var keys = entry.ValueKind == JsonValueKind.Object ? Keys.Where(k => entry.TryGetProperty(k, out _)).ToList() : [];
            if (keys.Count != 1 || !entry.TryGetProperty("user", out var user))
                throw new OwnershipException($"{path} line {number} needs a \"user\" and exactly one of \"file\", \"sha256\", \"index\"");
            yield return (number, keys[0], Text(entry.GetProperty(keys[0])), Required(Text(user), path, number));
        }
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static string Required(string user, string path, int line) => string.IsNullOrWhiteSpace(user)
        ? throw new OwnershipException($"{path} line {line} has an empty user")
        : user.Trim();

    // RFC 4180 fields: commas inside double quotes, "" for a quote.
    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
