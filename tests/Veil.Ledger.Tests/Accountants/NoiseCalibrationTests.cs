using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Calibration;
using Xunit;

namespace Veil.Ledger.Tests.Accountants;

public class NoiseCalibrationTests
{
    private static readonly RdpAccountant Accountant = new();

    [Theory]
    [InlineData(1.0, 0.01, 1000, 1e-5)]
    [InlineData(3.0, 2048.0 / 60000, 1172, 1e-5)]
    [InlineData(8.0, 0.04, 2250, 1e-5)]
    [InlineData(10.0, 0.5, 20, 1e-6)]
    public void Calibrated_sigma_meets_the_target_and_slightly_less_noise_does_not(double target, double q, long steps, double delta)
    {
        var schedule = new SamplingSchedule(q, steps);
        var calibrated = NoiseCalibration.Calibrate(Accountant, target, schedule, delta);
        Assert.True(calibrated.Epsilon <= target, $"σ={calibrated.NoiseMultiplier} gives ε={calibrated.Epsilon} > {target}");
        Assert.Equal(Accountant.Epsilon([schedule.Event(calibrated.NoiseMultiplier)], delta).Epsilon, calibrated.Epsilon, 12);
        var lessNoise = Accountant.Epsilon([schedule.Event(calibrated.NoiseMultiplier * (1 - 1e-4))], delta).Epsilon;
        Assert.True(lessNoise > target, $"σ·(1−1e-4) still meets the target (ε={lessNoise}): not the smallest σ");
    }

    [Fact]
    public void Round_trip_recovers_a_known_sigma()
    {
        var schedule = new SamplingSchedule(256.0 / 60000, 14062);
        var eps = Accountant.Epsilon([schedule.Event(1.1)], 1e-5).Epsilon;
        var calibrated = NoiseCalibration.Calibrate(Accountant, eps, schedule, 1e-5);
        Assert.Equal(1.1, calibrated.NoiseMultiplier, 4);
    }

    [Fact]
    public void Epochs_form_rounds_steps_up_so_accounting_stays_conservative()
    {
        var schedule = SamplingSchedule.FromEpochs(60000, 256, 60);
        Assert.Equal(256.0 / 60000, schedule.SamplingRate, 15);
        Assert.Equal(14063, schedule.Steps); // 14062.5 steps happen as 14063
        Assert.Equal(1000, SamplingSchedule.FromEpochs(1000, 10, 10).Steps);
    }

    [Fact]
    public void Unreachable_target_is_refused_with_a_reason()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            NoiseCalibration.Calibrate(Accountant, 1e-9, new SamplingSchedule(1.0, 1_000_000), 1e-9));
        Assert.Contains("no noise multiplier", e.Message);
    }
}
