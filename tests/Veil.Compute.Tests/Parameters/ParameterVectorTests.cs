using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Xunit;

namespace Veil.Compute.Tests.Parameters;

public sealed class ParameterVectorTests
{
    [Theory]
    [InlineData("mlp")]
    [InlineData("tanh-cnn")]
    public void A_parameter_vector_loaded_into_another_replica_flattens_back_identically(string name)
    {
        using var source = ModelCatalog.Create(name, seed: 1);
        using var replica = ModelCatalog.Create(name, seed: 2);
        var values = ParameterVector.Flatten(source);
        Assert.NotEqual(values, ParameterVector.Flatten(replica));
        ParameterVector.Load(replica, values);
        Assert.Equal(values, ParameterVector.Flatten(replica));
    }

    [Fact]
    public void The_tanh_cnn_layout_is_conv1_conv2_fc1_fc2_weights_before_biases()
    {
        using var model = ModelCatalog.Create("tanh-cnn", seed: 1);
        var layout = ParameterLayout.Of(model);
        Assert.Equal("conv1.weight[16,1,8,8];conv1.bias[16];conv2.weight[32,16,4,4];conv2.bias[32];fc1.weight[32,512];fc1.bias[32];fc2.weight[10,32];fc2.bias[10]",
            layout.Fingerprint);
        Assert.Equal(26010, layout.TotalCount);
    }

    [Fact]
    public void Creation_is_deterministic_in_the_seed()
    {
        using var a = ModelCatalog.Create("tanh-cnn", seed: 7);
        using var b = ModelCatalog.Create("tanh-cnn", seed: 7);
        Assert.Equal(ParameterVector.Flatten(a), ParameterVector.Flatten(b));
    }

    [Fact]
    public void A_vector_of_the_wrong_length_is_refused()
    {
        using var model = ModelCatalog.Create("mlp", seed: 1);
        Assert.Throws<ArgumentException>(() => ParameterVector.Load(model, new float[3]));
    }

    [Fact]
    public void Unknown_model_names_are_refused_listing_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.Create("resnet", seed: 1));
        Assert.Contains("tanh-cnn", e.Message);
    }
}
