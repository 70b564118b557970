using Veil.Actors.Configuration;
using Veil.Ledger.Accountants;
using Xunit;

namespace Veil.Actors.Tests.Configuration;

/// <summary>veil.dp.* is the one record the DP-SGD plan is built from; no runtime knob reaches the plan.</summary>
public class DpSettingsTests
{
    private static TrainingSettings Settings(params string[] overrides) => TrainingSettings.Create(VeilConfiguration.Load(overrides: overrides));

    [Fact]
    public void Runtime_knobs_do_not_change_the_plan()
    {
        var accountant = AccountantCatalog.Create("rdp");
        var plain = Settings().Dp.Plan(60000, "f", accountant, 1e-5);
        var tuned = Settings("veil.runtime.micro-batch-size=7", "veil.runtime.threads-per-worker=3", "veil.runtime.prefetch-micro-batches=99",
            "veil.runtime.decode-threads=5", "veil.eval.batch-size=11").Dp.Plan(60000, "f", accountant, 1e-5);
        Assert.Equal(plain, tuned);
    }

    [Fact]
    public void The_plan_is_poisson_at_the_expected_batch_over_n_for_the_configured_epochs()
    {
        var plan = Settings("veil.dp.expected-batch-size=600", "veil.dp.epochs=2", "veil.dp.noise-multiplier=1.5", "veil.dp.clip-norm=0.5")
            .Dp.Plan(60000, "f", AccountantCatalog.Create("rdp"), 1e-5);
        Assert.Equal(0.01, plan.SamplingRate, 12);
        Assert.Equal(200, plan.Steps);
        Assert.Equal(1.5, plan.NoiseMultiplier);
        Assert.Equal(0.5, plan.ClipNorm);
    }

    [Fact]
    public void A_calibrated_plan_spends_at_most_the_target_with_the_datasets_accountant()
    {
        var accountant = AccountantCatalog.Create("rdp");
        var plan = Settings("veil.dp.noise-multiplier=0", "veil.dp.target-epsilon=2", "veil.dp.expected-batch-size=600", "veil.dp.epochs=2")
            .Dp.Plan(60000, "f", accountant, 1e-5);
        var spent = accountant.Epsilon([plan.RunEvent], 1e-5).Epsilon;
        Assert.InRange(spent, 2 * (1 - 1e-3), 2.0);
    }

    [Fact]
    public void A_batch_larger_than_the_data_is_capped_at_the_whole_data()
    {
        var plan = Settings("veil.dp.expected-batch-size=5000", "veil.dp.noise-multiplier=1").Dp.Plan(1000, "f", AccountantCatalog.Create("rdp"), 1e-5);
        Assert.Equal(1.0, plan.SamplingRate);
    }
}
