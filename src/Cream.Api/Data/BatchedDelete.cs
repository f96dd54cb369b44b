namespace Cream.Api.Data;

/// <summary>
/// How retention empties a table (ADR 21): statements of at most <see cref="Size"/> rows, each
/// chosen through an index, until one comes back short, so no lock is held longer than one batch.
/// </summary>
internal static class BatchedDelete
{
    /// <summary>Rows per statement: small enough to be quick on either provider, large enough to catch up.</summary>
    public const int Size = 2000;

    /// <summary>Runs <paramref name="deleteBatch"/> (one statement, at most <see cref="Size"/> rows) until a batch is short or the round is cancelled; returns the rows deleted.</summary>
    public static async Task<int> UntilShortAsync(Func<Task<int>> deleteBatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deleteBatch);
        int deleted, total = 0;
        do
        {
            deleted = await deleteBatch();
            total += deleted;
        }
        while (deleted == Size && !cancellationToken.IsCancellationRequested);

        return total;
    }
}
