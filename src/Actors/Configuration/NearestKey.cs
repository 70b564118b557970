namespace Veil.Actors.Configuration;

/// <summary>Suggests the valid key a misspelt one most likely meant (edit distance on the full path).</summary>
public static class NearestKey
{
    public static string? To(string key, IEnumerable<string> validKeys)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in validKeys)
        {
            var d = Distance(key, candidate);
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        // Beyond a third of the key's length the "suggestion" is noise.
        return best is not null && bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
