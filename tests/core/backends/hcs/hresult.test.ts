import { describe, expect, it } from 'vitest';
import { describeHresult, hcsFailure, hresultHex, hresultOfError, stopOutcome } from '../../../../ts-core/src/backends/hcs/hresult.js';

describe('HRESULT mapping', () => {
  it.each([
    [0xc0370101, 'ERROR_VMCOMPUTE_IMAGE_MISMATCH', 'HcsOsMismatch'],
    [0x80370101, 'HCS_E_IMAGE_MISMATCH', 'HcsOsMismatch'],
    [0xc037010e, 'ERROR_VMCOMPUTE_SYSTEM_NOT_FOUND', 'HcsSystemNotFound'],
    [0x8037010e, 'HCS_E_SYSTEM_NOT_FOUND', 'HcsSystemNotFound'],
    [0x80370118, 'HCS_E_OPERATION_TIMEOUT', 'OperationTimeout'],
    [0x80370110, 'HCS_E_SYSTEM_ALREADY_STOPPED', 'HcsInvalidState'],
    [0x8037011b, 'HCS_E_ACCESS_DENIED', 'PermissionDenied'],
    [0x80070005, 'E_ACCESSDENIED', 'PermissionDenied'],
  ])('maps %s to %s / %s, signed or not', (value, name, code) => {
    expect(describeHresult(value)).toMatchObject({ name, code });
    expect(describeHresult(value | 0)).toMatchObject({ name, code });
  });

  it('formats HRESULTs as 8 upper-case hex digits whatever their sign', () => {
    expect(hresultHex(-1070137087)).toBe('0xC0370101');
    expect(hresultHex(0x5)).toBe('0x00000005');
  });

  it('does not mistake success codes or other facilities for HCS errors', () => {
    expect(describeHresult(0x00370101)).toBeNull();
    expect(describeHresult(0x80380101)).toBeNull();
  });

  it('builds one message with the action, the name, the number and what to do', () => {
    const error = hcsFailure('Starting compute system \'c1\'', 0xc0370101, { ErrorMessage: 'The container operating system does not match the host operating system.' });
    expect(error.message).toMatchInlineSnapshot(
      `"Starting compute system 'c1' failed: The container operating system does not match the host operating system (ERROR_VMCOMPUTE_IMAGE_MISMATCH, 0xC0370101). HCS says: The container operating system does not match the host operating system. Use an image built for this host's Windows build, or Hyper-V isolation (-Isolation HyperV) to run an older image."`,
    );
  });
});

describe('stop outcomes, as hcsshim internal/hcs/system.go reads shutdown/terminate failures', () => {
  it.each([
    [0xc0370110, 'stopped'],
    [0x80370110, 'stopped'],
    [0xc037010e, 'stopped'],
    [0x8037010e, 'stopped'],
    [0xc0370103, 'pending'],
    [0x80370103, 'pending'],
    [0x80370105, 'failed'],
    [0x80070005, 'failed'],
    [0x00370110, 'failed'],
  ] as const)('%s is %s', (hresult, outcome) => {
    expect(stopOutcome(hresult)).toBe(outcome);
  });

  it('reads the HRESULT back from a CoreError made by hcsFailure, and nothing from other errors', () => {
    expect(hresultOfError(hcsFailure('Stopping', 0xc0370103 | 0, null))).toBe(0xc0370103);
    expect(hresultOfError(new Error('x'))).toBeNull();
  });
});
