import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokerHostAllowed } from './sensor-feed.js';

const theThingsNetwork = ['*.thethings.network', 'broker.example.org'];

test('a host under an allowed domain may be a feed’s broker, at any depth', () => {
  assert.equal(brokerHostAllowed('eu1.cloud.thethings.network', theThingsNetwork), true);
  assert.equal(brokerHostAllowed('EU1.Cloud.TheThings.Network.', theThingsNetwork), true);
});

test('a domain pattern does not allow the domain’s look-alikes', () => {
  assert.equal(brokerHostAllowed('evilthethings.network', theThingsNetwork), false);
  assert.equal(brokerHostAllowed('thethings.network.example.com', theThingsNetwork), false);
});

test('a named host allows only itself', () => {
  assert.equal(brokerHostAllowed('broker.example.org', theThingsNetwork), true);
  assert.equal(brokerHostAllowed('other.example.org', theThingsNetwork), false);
  assert.equal(brokerHostAllowed('127.0.0.1', theThingsNetwork), false);
});

test('a star allows every host', () => {
  assert.equal(brokerHostAllowed('10.0.0.7', ['*']), true);
});

test('no pattern allows no host', () => {
  assert.equal(brokerHostAllowed('eu1.cloud.thethings.network', []), false);
});
