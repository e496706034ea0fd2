using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// The plug-in network of paper §3.3: h^k = MLP(K(u, i)), added to a dense layer of the downstream model.
/// Its input is batch-normalised per feature first, because the kinds of knowledge live on very different
/// scales (embeddings around 0.05, tower activations around 1). Its output layer starts at exactly zero
/// (weights and bias), so plugging it into a trained model leaves that model's predictions unchanged
/// until training moves it.
/// </summary>
public sealed class KnowledgePlugin : nn.Module<Tensor, Tensor>
{
    /// <summary>The batch-norm epsilon (fixed so that exports can fold the normalisation).</summary>
    internal const double NormalisationEpsilon = 1e-5;

    private readonly BatchNorm1d _normalise;
    private readonly ModuleList<Linear> _hidden = new();
    private readonly Linear _output;

    /// <summary>Creates the plug-in from knowledge of width <paramref name="input"/> to a layer of width <paramref name="output"/>.</summary>
    public KnowledgePlugin(int input, IReadOnlyList<int> hidden, int output) : base(nameof(KnowledgePlugin))
    {
        _normalise = nn.BatchNorm1d(input, eps: NormalisationEpsilon);
        foreach (int width in hidden)
        {
            _hidden.Add(nn.Linear(input, width));
            input = width;
        }
        _output = nn.Linear(input, output);
        RegisterComponents();
        using var _ = no_grad();
        _output.weight!.zero_();
        _output.bias!.zero_();
    }

    /// <summary>The normalisation, the hidden layers and the (zero-initialised) output layer.</summary>
    internal (BatchNorm1d Normalise, IReadOnlyList<Linear> Hidden, Linear Output) Layers => (_normalise, [.. _hidden], _output);

    /// <inheritdoc/>
    public override Tensor forward(Tensor knowledge)
    {
        var x = _normalise.forward(knowledge);
        foreach (var layer in _hidden) x = nn.functional.relu(layer.forward(x));
        return _output.forward(x);
    }
}
