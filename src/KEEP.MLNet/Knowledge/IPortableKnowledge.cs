using KEEP.MLNet.Knowledge.Onnx;

namespace KEEP.MLNet.Knowledge;

/// <summary>A knowledge source whose computation can be written into an ONNX graph, so a plugged model's zip carries it.</summary>
internal interface IPortableKnowledge
{
    /// <summary>Behaviours the knowledge network reads (the history columns' length); null when it reads none.</summary>
    int? HistoryLength { get; }

    /// <summary>Adds the computation of K [N, Width] to a graph whose id inputs are declared; returns the value's name.</summary>
    string AddTo(OnnxGraph g, KnowledgeOnnxNames names);
}
