namespace KEEP.MLNet.Retrieval;

/// <summary>How the sample retriever tokenises rows and scores them (BM25 over feature tokens).</summary>
public sealed record RetrievalOptions
{
    /// <summary>Rows retrieved per query (k).</summary>
    public int Neighbours { get; init; } = 10;

    /// <summary>Most recent behaviour items that become tokens of a row (besides user, item, shop and category).</summary>
    public int BehaviourTokens { get; init; } = 10;

    /// <summary>
    /// Postings read per query token, most recent first. Popular tokens (a big category) have millions of
    /// postings; reading only the latest bounds the cost of a query and favours recent behaviour.
    /// </summary>
    public int MaxPostingsPerToken { get; init; } = 1024;

    /// <summary>BM25 term-frequency saturation k1.</summary>
    public double K1 { get; init; } = 1.2;

    /// <summary>BM25 length normalisation b.</summary>
    public double B { get; init; } = 0.75;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Neighbours is < 1 or > 1000) throw new ArgumentException($"Neighbours must be 1..1000 (got {Neighbours}).", nameof(Neighbours));
        if (BehaviourTokens is < 0 or > 200) throw new ArgumentException($"BehaviourTokens must be 0..200 (got {BehaviourTokens}).", nameof(BehaviourTokens));
        if (MaxPostingsPerToken < 1) throw new ArgumentException($"MaxPostingsPerToken must be positive (got {MaxPostingsPerToken}).", nameof(MaxPostingsPerToken));
        if (K1 < 0 || double.IsNaN(K1)) throw new ArgumentException($"K1 must be ≥ 0 (got {K1}).", nameof(K1));
        if (B is < 0 or > 1 || double.IsNaN(B)) throw new ArgumentException($"B must be in [0, 1] (got {B}).", nameof(B));
    }
}
