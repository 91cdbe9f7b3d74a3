/** @module Unit tier: every registered firewall driver meets one contract (against a recording fake host). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  firewallChoices,
  firewallDrivers,
  parseFirewallName,
  selectFirewall,
} from '../../src/firewall/registry.js'
import { fakeHost } from '../helpers/fake-host.js'

const table = 'corral_0123abcd'
const nic = {
  label: 'c1.eth0',
  hostName: 'vethc1',
  hwaddr: '00:16:3e:00:00:01',
  ipv4: ['198.18.0.5'],
}
/** Everything a driver was asked to run, as one text. */
const said = (host: ReturnType<typeof fakeHost>) =>
  host.calls.map((c) => [c.cmd, ...c.args, c.input ?? ''].join(' ')).join('\n')

for (const driver of firewallDrivers) {
  test(`${driver.name}: apply names the bridge, the NIC and the veth; remove takes them away again`, async () => {
    const host = fakeHost()
    const fw = driver.create(host, table)
    assert.equal(fw.name, driver.name)
    await fw.networkApply({ bridge: 'crtbr0', v4: { dhcpDnsAccess: true, forward: true } })
    await fw.nicFilterApply(nic)
    await fw.routedApply('vethr1')
    const applied = said(host)
    for (const name of ['crtbr0', 'vethc1', '00:16:3e:00:00:01', 'vethr1'])
      assert.ok(applied.includes(name), name)
    host.calls.length = 0
    await fw.networkRemove('crtbr0')
    await fw.nicFilterRemove(nic.label, nic.hostName)
    await fw.routedRemove('vethr1')
    assert.ok(host.calls.length > 0, 'removal asks the host')
  })

  test(`${driver.name}: a hostile name never reaches the host`, async () => {
    const host = fakeHost()
    const fw = driver.create(host, table)
    await assert.rejects(fw.nicFilterApply({ ...nic, hostName: 'veth1"; flush ruleset' }), /Refusing/)
    await assert.rejects(fw.nicFilterApply({ ...nic, hwaddr: '00:16:3e:00:00:01 accept' }), /Refusing/)
    await assert.rejects(fw.routedApply('veth1\nflush ruleset'), /Refusing/)
    assert.equal(said(host).includes('flush'), false)
  })
}

test('the registry: unique names, --firewall takes each or auto, selection prefers what is in use', async () => {
  const names = firewallDrivers.map((d) => d.name)
  assert.equal(new Set(names).size, names.length)
  assert.deepEqual(firewallChoices, ['auto', ...names])
  for (const n of names) assert.equal(parseFirewallName(n), n)
  assert.equal(parseFirewallName('auto'), undefined)
  assert.throws(() => parseFirewallName('ipchains'), /Unknown firewall driver "ipchains"/)
  // Nothing works here: the last driver is the fallback, as in LXD.
  const nothing = fakeHost(() => Promise.reject(new Error('not installed')))
  assert.equal((await selectFirewall(nothing, '/tmp/x')).name, names[names.length - 1])
  for (const n of names) assert.equal((await selectFirewall(nothing, '/tmp/x', n)).name, n)
})
