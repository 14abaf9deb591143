/** The demo dataset: people, their devices and the tips catalogue. */

export interface DemoUser {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  secondLastName: string | null;
  birthDate: string | null;
  role: 'ADMIN' | 'USER';
  devices: ReadonlyArray<{ name: string; description: string | null; litresPerReading: number }>;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'admin', email: 'admin@aquamind.local', firstName: 'Ada', lastName: 'Admin', secondLastName: null,
    birthDate: null, role: 'ADMIN',
    devices: [{ name: 'Head office main meter', description: 'Flow sensor on the building inlet', litresPerReading: 180 }],
  },
  {
    username: 'maria_lopez', email: 'maria.lopez@example.com', firstName: 'María', lastName: 'López', secondLastName: 'Hernández',
    birthDate: '1986-04-12', role: 'USER',
    devices: [
      { name: 'Kitchen flow sensor', description: 'Under-sink flow sensor', litresPerReading: 12 },
      { name: 'Garden irrigation valve', description: 'Drip irrigation, front garden', litresPerReading: 40 },
      { name: 'Rooftop tank level', description: 'Level sensor on the 1,100 L tank', litresPerReading: 25 },
    ],
  },
  {
    username: 'juan_perez', email: 'juan.perez@example.com', firstName: 'Juan', lastName: 'Pérez', secondLastName: 'Gómez',
    birthDate: '1979-11-03', role: 'USER',
    devices: [
      { name: 'Bathroom shower meter', description: 'Flow meter on the shower line', litresPerReading: 30 },
      { name: 'Laundry relay', description: 'Relay that cuts the washing machine supply', litresPerReading: 20 },
    ],
  },
  {
    username: 'ana_garcia', email: 'ana.garcia@example.com', firstName: 'Ana', lastName: 'García', secondLastName: null,
    birthDate: '1994-07-28', role: 'USER',
    devices: [
      { name: 'Greenhouse gate valve', description: 'Gate valve feeding the greenhouse', litresPerReading: 55 },
      { name: 'Well pump flow', description: 'Flow sensor after the well pump', litresPerReading: 70 },
      { name: 'Orchard sprinkler relay', description: null, litresPerReading: 35 },
    ],
  },
  {
    username: 'luis_martinez', email: 'luis.martinez@example.com', firstName: 'Luis', lastName: 'Martínez', secondLastName: 'Ruiz',
    birthDate: null, role: 'USER',
    devices: [
      { name: 'Apartment main meter', description: 'Smart meter at the apartment inlet', litresPerReading: 22 },
      { name: 'Boiler inlet sensor', description: 'Flow into the water heater', litresPerReading: 9 },
    ],
  },
];

export const DEMO_RECOMMENDATIONS: ReadonlyArray<{ title: string; description: string; icon: string }> = [
  { title: 'Fix dripping taps', description: 'A tap dripping once a second wastes over 20 litres a day. Replace worn washers promptly.', icon: 'droplet' },
  { title: 'Take shorter showers', description: 'Cutting your shower by two minutes saves up to 20 litres each time.', icon: 'shower' },
  { title: 'Turn off the tap while brushing', description: 'An open tap runs about 6 litres a minute; turn it off while you brush.', icon: 'tap' },
  { title: 'Run full loads only', description: 'Dishwashers and washing machines use nearly the same water half full as full.', icon: 'washing-machine' },
  { title: 'Water the garden at dawn', description: 'Early watering loses far less to evaporation than watering at midday.', icon: 'sunrise' },
  { title: 'Use drip irrigation', description: 'Drip lines put water at the roots and use up to 50% less than sprinklers.', icon: 'sprout' },
  { title: 'Mulch your beds', description: 'A layer of mulch keeps soil moist and cuts watering needs.', icon: 'leaf' },
  { title: 'Collect rainwater', description: 'A rain barrel gives free water for plants and cleaning.', icon: 'cloud-rain' },
  { title: 'Check for hidden leaks', description: 'Read your meter, use no water for two hours and read it again: any change is a leak.', icon: 'search' },
  { title: 'Install aerators', description: 'Tap aerators cut flow by up to 30% without a noticeable difference.', icon: 'filter' },
  { title: 'Choose a dual-flush toilet', description: 'Dual flush saves several litres per flush compared with older cisterns.', icon: 'toilet' },
  { title: 'Test the toilet for leaks', description: 'Add food colouring to the cistern; colour in the bowl after 15 minutes means a leak.', icon: 'beaker' },
  { title: 'Sweep instead of hosing', description: 'Use a broom for paths and driveways instead of a hose.', icon: 'broom' },
  { title: 'Wash the car with a bucket', description: 'A bucket uses a fraction of the water of a running hose.', icon: 'car' },
  { title: 'Cover the pool', description: 'A pool cover cuts evaporation losses by most of what is lost.', icon: 'waves' },
  { title: 'Reuse cooking water', description: 'Cooled water from boiling vegetables is good for house plants.', icon: 'pot' },
  { title: 'Defrost in the fridge', description: 'Thaw food overnight in the fridge rather than under running water.', icon: 'snowflake' },
  { title: 'Insulate hot water pipes', description: 'Hot water arrives sooner, so less runs down the drain while you wait.', icon: 'thermometer' },
  { title: 'Plant native species', description: 'Native plants need little watering once established.', icon: 'flower' },
  { title: 'Set irrigation by the weather', description: 'Skip scheduled watering after rain; a rain sensor can do it for you.', icon: 'cloud-sun' },
];
