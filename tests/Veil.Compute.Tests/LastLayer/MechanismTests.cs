using Veil.Compute.LastLayer;
using Veil.Compute.Noise;
using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Calibration;
using Veil.Ledger.Events;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.LastLayer;

public class MechanismTests
{
    private static readonly NoiseSeed Seed = NoiseSeed.FromInt64(42);
    private static readonly FeatureMap Map = new(1.0, 0.3);

    private static LastLayerOptions Options(LastLayerMethod method, double lambda = 1.0, int newtonSteps = 2, double epochs = 3, int batch = 0, double lr = 0.5) =>
        new(method, Map, lambda, newtonSteps, 1.0, epochs, batch, lr);

    private static IReadOnlyDictionary<string, double> Sigmas(double sigma) => new Dictionary<string, double>
    {
        [LastLayerReleases.Covariance] = sigma, [LastLayerReleases.Targets] = sigma, [LastLayerReleases.Gradient] = sigma,
        [LastLayerReleases.Hessian] = sigma, [LastLayerReleases.Sgd] = sigma,
    };

    [Fact]
    public void DP_least_squares_without_noise_equals_ridge_regression_by_a_direct_solve()
    {
        var data = Map.Apply(LastLayerData.Random(1, 300, 6, 4, learnable: true));
        // σ = 1e-12 leaves noise of std 1e-12·C²: numerically nothing, through the whole mechanism (gate included).
        var head = DpLeastSquares.Fit(data, Options(LastLayerMethod.LeastSquares, lambda: 0.7), Sigmas(1e-12), new RecordingGate(), Seed);
        using var scope = NewDisposeScope();
        var x = data.Design();
        var ridge = linalg.solve(x.t().mm(x) + 0.7 * eye(data.Columns, dtype: ScalarType.Float64), x.t().mm(data.OneHot()));
        var expected = ridge.contiguous().data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], head.Weights[i], 8);
    }

    [Fact]
    public void The_solve_projects_a_noisy_indefinite_matrix_onto_the_PSD_cone_before_adding_lambda()
    {
        using var scope = NewDisposeScope();
        Runtime.TorchRuntime.EnsureLoaded();
        // Eigenvalues 3 and −1 in a rotated basis: the −1 is set to 0, then λ = 0.5 is added to both.
        var v = tensor(new[] { Math.Sqrt(0.5), Math.Sqrt(0.5), -Math.Sqrt(0.5), Math.Sqrt(0.5) }, [2, 2], ScalarType.Float64);
        var a = v.mm(diag(tensor(new[] { 3.0, -1.0 }, ScalarType.Float64))).mm(v.t());
        var b = tensor(new[] { 1.0, 2.0 }, [2, 1], ScalarType.Float64);
        var solved = RegularisedSolve.Solve(a, b, 0.5);
        var expected = v.mm(diag(tensor(new[] { 1 / 3.5, 1 / 0.5 }, ScalarType.Float64))).mm(v.t()).mm(b);
        Assert.True(allclose(solved, expected, 1e-12, 1e-12));
    }

    [Fact]
    public void Iterative_heads_start_at_zero()
    {
        var data = Map.Apply(LastLayerData.Random(2, 100, 5, 3, learnable: true));
        var starts = new List<LinearHead>();
        DpNewton.Fit(data, Options(LastLayerMethod.Newton), Sigmas(1.0), new RecordingGate(), Seed, (step, head) => { if (step == 0) starts.Add(head); });
        HeadSgd.Run(data, Options(LastLayerMethod.Sgd), 1.0, new RecordingGate(), Seed, null, (step, head) => { if (step == 0) starts.Add(head); });
        DpFeatureCovariance.Fit(data, Options(LastLayerMethod.FeatureCovariance), Sigmas(1.0), new RecordingGate(), Seed, (step, head) => { if (step == 0) starts.Add(head); });
        Assert.Equal(3, starts.Count);
        Assert.All(starts, h => Assert.All(h.Weights, w => Assert.Equal(0.0, w)));
    }

    [Fact]
    public void An_SGD_step_adds_one_noise_draw_to_the_clipped_sum_and_divides_by_the_expected_batch_size()
    {
        // Full batch (q = 1, L = N): from W = 0 every p is uniform, so the first update is exactly
        // −η (Xᵀ(P − Y) + Z) / N with Z the draw of release "sgd[0]" at std σ·C_g.
        var data = Map.Apply(LastLayerData.Random(3, 80, 4, 3));
        var options = Options(LastLayerMethod.Sgd, epochs: 1, lr: 0.25);
        var head = HeadSgd.Run(data, options, 1.5, new RecordingGate(), Seed, preconditioner: null);
        using var scope = NewDisposeScope();
        var x = data.Design();
        var p = full(data.Rows, 3, 1.0 / 3, ScalarType.Float64);
        var sum = x.t().mm(p - data.OneHot()).contiguous().data<double>().ToArray();
        ReleaseNoise.AddGaussian(sum, 1.5 * options.EffectiveGradientClip, Seed, "sgd[0]");
        for (int i = 0; i < sum.Length; i++) Assert.Equal(-0.25 * sum[i] / data.Rows, head.Weights[i], 12);
    }

    [Fact]
    public void Momentum_and_the_iterate_average_reuse_the_same_releases_and_return_the_bias_corrected_average()
    {
        var data = Map.Apply(LastLayerData.Random(4, 120, 5, 3, learnable: true));
        var plain = new RecordingGate();
        var iterates = new List<LinearHead>();
        var last = HeadSgd.Run(data, new(LastLayerMethod.Sgd, Map, 1.0, epochs: 6, learningRate: 0.5, momentum: 0.8), 1.0, plain, Seed, null,
            (step, head) => iterates.Add(head));
        iterates.Add(last);
        var averaged = new RecordingGate();
        var options = new LastLayerOptions(LastLayerMethod.Sgd, Map, 1.0, epochs: 6, learningRate: 0.5, momentum: 0.8, averaging: 0.7);
        var head = HeadSgd.Run(data, options, 1.0, averaged, Seed, null);
        Assert.Equal(plain.Commits, averaged.Commits); // post-processing: the same releases, nothing more
        // W̄_T = (1 − β) Σ_{t=1..T} β^{T−t} W_t / (1 − β^T), the iterates after each step (W_0 = 0 is not averaged).
        int steps = iterates.Count - 1;
        for (int k = 0; k < head.Weights.Length; k++)
        {
            double sum = 0;
            for (int t = 1; t <= steps; t++) sum += 0.3 * Math.Pow(0.7, steps - t) * iterates[t].Weights[k];
            Assert.Equal(sum / (1 - Math.Pow(0.7, steps)), head.Weights[k], 10);
        }
        Assert.NotEqual(last.Weights, head.Weights);
    }

    public static TheoryData<LastLayerMethod> Methods => new() { LastLayerMethod.LeastSquares, LastLayerMethod.Newton, LastLayerMethod.FeatureCovariance, LastLayerMethod.Sgd };

    [Theory]
    [MemberData(nameof(Methods))]
    public void Each_method_commits_exactly_its_planned_releases_in_order_and_they_compose_to_the_planned_epsilon(LastLayerMethod method)
    {
        var data = Map.Apply(LastLayerData.Random(4, 400, 5, 3, learnable: true));
        var options = Options(method, newtonSteps: 3, epochs: 2, batch: 100);
        var shares = LastLayerReleases.Plan(options, new BudgetSplit(covariance: 1, targets: 2, gradient: 1, hessian: 3, sgd: 2), data.Rows);
        var rdp = new RdpAccountant();
        var noise = SplitCalibration.Calibrate(rdp, 3.0, 1e-5, shares);
        var gate = new RecordingGate();
        LastLayerTrainer.Fit(data, options, noise.NoiseMultipliers, gate, Seed);

        string[] expectedNames = method switch
        {
            LastLayerMethod.LeastSquares => ["covariance", "targets"],
            LastLayerMethod.Newton => ["gradient[0]", "hessian[0]", "gradient[1]", "hessian[1]", "gradient[2]", "hessian[2]"],
            LastLayerMethod.FeatureCovariance => ["covariance", .. Enumerable.Range(0, 8).Select(t => $"sgd[{t}]")],
            _ => Enumerable.Range(0, 8).Select(t => $"sgd[{t}]").ToArray(), // ⌈2 epochs · 400 / 100⌉
        };
        Assert.Equal(expectedNames, gate.Commits.Select(c => c.Name));
        foreach (var (name, dpEvent) in gate.Commits)
        {
            var group = name.Split('[')[0];
            var sigma = noise[group];
            Assert.Equal(group == "sgd" ? new PoissonSampled(0.25, new GaussianEvent(sigma)) : new GaussianEvent(sigma), dpEvent);
        }
        var fromCommits = rdp.Epsilon(gate.Commits.Select(c => c.Event), 1e-5).Epsilon;
        Assert.Equal(noise.Epsilon, fromCommits, 10);
        Assert.True(fromCommits <= 3.0);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_refused_release_stops_the_mechanism_before_anything_is_released(LastLayerMethod method)
    {
        var data = Map.Apply(LastLayerData.Random(5, 50, 3, 2));
        var gate = new RecordingGate(refuseFrom: 1);
        Assert.Throws<InvalidOperationException>(() => LastLayerTrainer.Fit(data, Options(method), Sigmas(1.0), gate, Seed));
        Assert.Single(gate.Commits);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Each_method_learns_a_separable_problem_at_a_generous_epsilon(LastLayerMethod method)
    {
        var (trainSet, testSet) = LastLayerData.Split(LastLayerData.Random(6, 5000, 8, 4, learnable: true), 2000);
        var (train, test) = (Map.Apply(trainSet), Map.Apply(testSet));
        var options = Options(method, lambda: 5, newtonSteps: 3, epochs: 10, lr: method == LastLayerMethod.Sgd ? 2.0 : 0.5);
        var shares = LastLayerReleases.Plan(options, new BudgetSplit(), train.Rows);
        var noise = SplitCalibration.Calibrate(new RdpAccountant(), 8.0, 1e-5, shares);
        var head = LastLayerTrainer.Fit(train, options, noise.NoiseMultipliers, new RecordingGate(), Seed);
        var accuracy = head.Accuracy(test);
        Assert.True(accuracy > 0.5, $"{method}: accuracy {accuracy} (chance 0.25)");
    }
}
