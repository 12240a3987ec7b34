using ScaleFunctions.Strimzi;

namespace ScaleFunctions.Tests.Strimzi;

/// <summary>Strimzi's node-id list annotations as the executor reads them.</summary>
public sealed class NodeIdListTest
{
    [Theory]
    [InlineData("[3]", new[] { 3 })]
    [InlineData("[0, 1, 10-12, 7-5]", new[] { 0, 1, 10, 11, 12, 7, 6, 5 })]
    [InlineData(" [ 4 - 4 ] ", new[] { 4 })]
    public void Reads_ids_and_ranges_in_the_order_written(string text, int[] expected)
    {
        Assert.Equal(expected, NodeIdList.Parse(text));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("[]")]
    [InlineData("[1,,2]")]
    [InlineData("[1-2-3]")]
    [InlineData("[-1]")]
    [InlineData("[a]")]
    public void A_list_strimzi_could_not_read_is_null(string text)
    {
        Assert.Null(NodeIdList.Parse(text));
    }

    [Fact]
    public void A_list_of_exactly_the_limit_is_read()
    {
        var ids = NodeIdList.Parse($"[0-{(NodeIdList.MaxExpanded / 2) - 1}, {NodeIdList.MaxExpanded}-{NodeIdList.MaxExpanded + (NodeIdList.MaxExpanded / 2) - 1}]");

        Assert.Equal(NodeIdList.MaxExpanded, ids!.Count);
    }

    [Fact]
    public void Many_wide_ranges_are_unreadable_rather_than_millions_of_ids()
    {
        var ranges = string.Join(", ", Enumerable.Range(0, 50).Select(i => $"{i * 100_000}-{(i * 100_000) + 99_998}"));

        Assert.Null(NodeIdList.Parse($"[{ranges}]"));
    }

    [Fact]
    public void One_id_past_the_limit_makes_the_list_unreadable()
    {
        Assert.Null(NodeIdList.Parse($"[0-{NodeIdList.MaxExpanded - 1}, {NodeIdList.MaxExpanded}]"));
    }
}
