using ScottPlot;
using Veil.Actors.TrainedModels;

namespace Veil.Actors.Reporting;

/// <summary>
/// A confusion matrix as a PNG: one cell per (actual, predicted) pair, shaded by the share of the actual class, with its
/// count written in it.
/// </summary>
public static class ConfusionMatrixPlot
{
    public static string Save(ConfusionMatrix m, string path, string title)
    {
        var n = m.Classes;
        // Shaded by the row's share, so a rare class's errors are as visible as a common one's.
        var shares = new double[n, n];
        var shading = new double[n, n];
        for (var actual = 0; actual < n; actual++)
        {
            var row = Math.Max(1, m.Row(actual));
            for (var predicted = 0; predicted < n; predicted++)
            {
                shares[actual, predicted] = (double)m.Counts[actual, predicted] / row;
                // Blues runs from dark (low) to white (high): shade by 1 − share so that many is dark, on white.
                shading[actual, predicted] = 1 - shares[actual, predicted];
            }
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(shading);
        heatmap.Colormap = new ScottPlot.Colormaps.Blues();
        // The heatmap draws its first row at the top; the y axis counts upwards, so actual class a sits at y = n − 1 − a.
        heatmap.Extent = new CoordinateRect(0, n - 1, 0, n - 1); // cell centres (ScottPlot aligns cells on their centres)
        for (var actual = 0; actual < n; actual++)
            for (var predicted = 0; predicted < n; predicted++)
            {
                var label = plot.Add.Text(m.Counts[actual, predicted].ToString(System.Globalization.CultureInfo.InvariantCulture), predicted, n - 1 - actual);
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontColor = shares[actual, predicted] > 0.5 ? Colors.White : Colors.Black;
            }
        var names = Enumerable.Range(0, n).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, n).Select(k => (double)k).ToArray(), names);
        plot.Axes.Left.SetTicks(Enumerable.Range(0, n).Select(k => (double)(n - 1 - k)).ToArray(), names);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Title(title);
        plot.XLabel("predicted class");
        plot.YLabel("actual class");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 700, 650);
        return path;
    }
}
