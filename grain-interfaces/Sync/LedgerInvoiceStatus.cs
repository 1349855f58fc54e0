namespace Upflow.Orleans.Sync;

/// <summary>An invoice's status in the AR ledger; rendered by name (DUE, OVERDUE, PAID, VOIDED).</summary>
[GenerateSerializer, Alias("upflow.LedgerInvoiceStatus")]
public enum LedgerInvoiceStatus
{
    DUE = 0,
    OVERDUE = 1,
    PAID = 2,
    VOIDED = 3,
}
