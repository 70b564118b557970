using System.CommandLine;
using System.Globalization;
using Veil.Actors.Configuration;
using Veil.Actors.Transfer;

namespace Veil.Actors.Cli;

/// <summary>`veil pretrain --config F`: non-private training on the public split; writes runs/&lt;id&gt;/backbone/.</summary>
public static class PretrainCommand
{
    public static Command Create(TextWriter stdout)
    {
        var config = new Option<string?>("--config") { Description = "HOCON recipe with veil.public set (e.g. hocon/fmnist-pretrain-subset.conf)." };
        var set = new Option<string[]>("--set") { Description = "Override one key (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var json = CliOptions.Json();
        var command = new Command(
            "pretrain", "Train a backbone WITHOUT DP on the public split (veil.public); spends no budget, writes no ledger event.") { config, set, json };
        command.SetAction(p =>
        {
            var c = VeilConfiguration.Load(p.GetValue(config), p.GetValue(set));
            var settings = PretrainSettings.Create(c);
            var r = PretrainJob.Run(TrainingSettings.Create(c), settings, PrivacySettings.Create(c), stdout);
            var score = r.ValidationAccuracy is { } v
                ? $"validation accuracy {v:P2} on {r.ValidationExamples} held-out public examples (selection run: no test figure)"
                : $"public test accuracy {r.TestAccuracy:P2}";
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {score} ({r.PublicClasses} public classes, {r.PublicExamples} public examples trained on), " +
                $"{r.WallSeconds:F0} s; backbone {r.BackboneDirectory} (features {r.FeatureDimension})"));
            if (p.GetValue(json))
                stdout.WriteLine(JsonLine.Of(("test_accuracy", r.TestAccuracy), ("test_loss", r.TestLoss), ("backbone", r.BackboneDirectory),
                    ("run_dir", r.RunDirectory), ("model", r.Model), ("public_examples", r.PublicExamples), ("public_classes", r.PublicClasses),
                    ("public_data_fingerprint", r.PublicDataFingerprint), ("backbone_fingerprint", r.BackboneFingerprint),
                    ("feature_dimension", r.FeatureDimension), ("epochs", r.Epochs), ("augment_flip", settings.Augmentation.Flip),
                    ("augment_crop_padding", settings.Augmentation.CropPadding), ("validation_examples", r.ValidationExamples),
                    ("validation_accuracy", r.ValidationAccuracy), ("validation_loss", r.ValidationLoss), ("wall_seconds", r.WallSeconds)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
