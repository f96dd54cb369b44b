namespace Cream.Api.Tests.Infrastructure;

public static class Concurrently
{
    /// <summary>Starts every request, then lets them go at one moment.</summary>
    public static async Task<T[]> AtOnceAsync<T>(params Func<Task<T>>[] requests)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ready = requests.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var running = requests.Select((request, i) => Task.Run(async () =>
        {
            ready[i].SetResult();
            await go.Task;
            return await request();
        })).ToArray();
        await Task.WhenAll(ready.Select(r => r.Task));
        go.SetResult();
        return await Task.WhenAll(running);
    }
}
