using KEEP.MLNet.Evaluation;

namespace KEEP.MLNet.Tests.Evaluation;

[TestClass]
public sealed class DeltaTextTests
{
    [TestMethod]
    [DataRow(0.0123, "+0.0123")]
    [DataRow(-0.0123, "-0.0123")]
    [DataRow(-0.00001, "+0.0000")]
    [DataRow(0.00001, "+0.0000")]
    [DataRow(-0.0, "+0.0000")]
    [DataRow(-0.00551, "-0.0055")]
    public void A_difference_prints_with_one_sign_and_a_rounded_zero_as_plus_zero(double value, string expected)
        => Assert.AreEqual(expected, DeltaText.Of(value));

    [TestMethod]
    public void The_format_it_replaces_prints_a_negative_zero_with_two_signs()
        // Why the helper exists: .NET formats a negative value that rounds to zero with the negative section's sign and the first section's.
        => Assert.AreEqual("-+0.0000", (-0.00001).ToString("+0.0000;-0.0000", System.Globalization.CultureInfo.InvariantCulture));
}
