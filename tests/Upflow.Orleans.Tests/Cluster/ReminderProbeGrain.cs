using Orleans.Runtime;

namespace Upflow.Orleans.Tests.Cluster;

/// <summary>A test grain that counts reminder ticks in persisted state and says which silo hosts it.</summary>
[Alias("tests.IReminderProbeGrain")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    [Alias("Arm")] Task<string> Arm(string note);
    [Alias("Read")] Task<ProbeReading> Read();
}

[GenerateSerializer, Immutable, Alias("tests.ProbeReading")]
public sealed record ProbeReading([property: Id(0)] string Note, [property: Id(1)] int Ticks, [property: Id(2)] string Silo);

[GenerateSerializer, Alias("tests.ProbeState")]
public sealed class ProbeState
{
    [Id(0)] public string Note { get; set; } = "";
    [Id(1)] public int Ticks { get; set; }
}

public sealed class ReminderProbeGrain(
    [PersistentState("probe")] IPersistentState<ProbeState> state,
    ILocalSiloDetails silo) : Grain, IReminderProbeGrain, IRemindable
{
    public async Task<string> Arm(string note)
    {
        state.State.Note = note;
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder("tick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return silo.SiloAddress.ToString();
    }

    public Task<ProbeReading> Read() =>
        Task.FromResult(new ProbeReading(state.State.Note, state.State.Ticks, silo.SiloAddress.ToString()));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State.Ticks++;
        await state.WriteStateAsync();
    }
}
